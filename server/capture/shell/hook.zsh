# Session Lens's zsh hook, printed by `sessionlens init zsh` for `eval "$(sessionlens init zsh)"`
# at the end of ~/.zshrc. It exists so that the commands typed in a terminal reach Session Lens
# without costing a process per command: each command becomes one line appended to the spool
# (format: server/capture/shell/mod.rs), with builtins only — no fork, no $(...), no pipe.
#
# How: add-zsh-hook's preexec (zsh hands it the line as typed) stamps the start, precmd (which
# zsh gives the command's $?) stamps the end and writes the line. The clock is zsh/datetime's
# $epochtime, a builtin module. Other preexec/precmd hooks are left as they are, in their order.
#
# Never recorded: a command starting with a space, anything while SESSIONLENS_HISTORY=off in this
# shell (or on a line starting with `SESSIONLENS_HISTORY=off`). Loading this twice hooks once.
if ! zmodload zsh/datetime 2>/dev/null; then
    print -ru2 -- 'sessionlens: the zsh/datetime module is missing: commands are not recorded'
else
    typeset -g __sessionlens_spool=@SPOOL@
    typeset -g __sessionlens_dir=@DIR@

    # The clock is read inline where it is needed, as t=($epochtime) and then microseconds since
    # the epoch as $((t[1] * 1000000 + t[2] / 1000)): both fields at once, since reading
    # $epochtime[1] and then $epochtime[2] could straddle a second, and no function call, which
    # costs zsh more than the rest of a hook.

    # The byte length of $1, in __sessionlens_b: without MULTIBYTE, ${#var} counts bytes.
    __sessionlens_bytes() {
        setopt localoptions nomultibyte
        typeset -g __sessionlens_b=${#1}
    }

    # One shell, one session: its pid and when it started. Kept when this is loaded again.
    if [[ ${${__sessionlens_session-}%%-*} != $$ ]]; then
        () {
            emulate -L zsh
            local -a t
            t=($epochtime)
            typeset -g __sessionlens_session=$$-$((t[1] * 1000000 + t[2] / 1000))
            typeset -g __sessionlens_start= __sessionlens_cmd= __sessionlens_cwd=
        }
    fi

    # preexec: $1 is the line as typed (also when history drops it), $3 the full text run. The
    # folder is the one the command starts in (a `cd` is recorded where it was typed).
    __sessionlens_preexec() {
        emulate -L zsh
        local -a t
        t=($epochtime)
        typeset -g __sessionlens_start=$((t[1] * 1000000 + t[2] / 1000)) __sessionlens_cmd=${1:-$3} __sessionlens_cwd=$PWD
    }

    # precmd, before each prompt: writes the line of the command preexec saw, if any. zsh gives
    # every precmd hook the command's $? and restores it after, so the prompt and other hooks
    # see it unchanged; it is returned all the same.
    __sessionlens_precmd() {
        local s=$?
        emulate -L zsh
        [[ -n $__sessionlens_start ]] || return $s
        local start=$__sessionlens_start cmd=$__sessionlens_cmd cwd=$__sessionlens_cwd head
        local -a t
        t=($epochtime)
        __sessionlens_start= __sessionlens_cmd=
        [[ ${SESSIONLENS_HISTORY-} == off || -z $cmd || $cmd == ' '* || $cmd == SESSIONLENS_HISTORY=off* ]] && return $s
        [[ -d $__sessionlens_dir ]] || return $s
        # The spool's escaping: backslash, newline, tab and carriage return (looked for first:
        # most commands have none).
        if [[ $cmd$cwd == *[$'\\\n\t\r']* ]]; then
            cmd=${cmd//\\/\\\\} cwd=${cwd//\\/\\\\}
            cmd=${cmd//$'\n'/\\n} cwd=${cwd//$'\n'/\\n}
            cmd=${cmd//$'\t'/\\t} cwd=${cwd//$'\t'/\\t}
            cmd=${cmd//$'\r'/\\r} cwd=${cwd//$'\r'/\\r}
        fi
        head=$'1\tzsh\t'$__sessionlens_session$'\t'$start$'\t'$((t[1] * 1000000 + t[2] / 1000))$'\t'$s$'\t'$cwd$'\t'
        # print goes through stdio, which writes a line of up to 4096 bytes in one write(2); a
        # longer command is cut, between characters, so that lines from shells running at once
        # never interleave. Up to 1023 characters fit whatever they are; past that, bytes are
        # counted.
        if ((${#head} + ${#cmd} > 1023)); then
            local -i room lo hi mid
            __sessionlens_bytes "$head"
            room=$((4095 - __sessionlens_b))
            __sessionlens_bytes "$cmd"
            if ((__sessionlens_b > room)); then
                ((room > 0)) || return $s
                # The longest start that fits, by bisection over characters: room/4 of them
                # always fit (four bytes at most each), room+1 never do.
                lo=$((room / 4)) hi=$((room + 1))
                ((hi < ${#cmd})) || hi=${#cmd}
                while ((hi - lo > 1)); do
                    mid=$(((lo + hi) / 2))
                    __sessionlens_bytes "${cmd[1,mid]}"
                    if ((__sessionlens_b <= room)); then lo=$mid; else hi=$mid; fi
                done
                ((lo > 0)) || return $s
                cmd=${cmd[1,lo]}
            fi
        fi
        # >>| creates the spool even under NO_CLOBBER (ingest removes it once read).
        print -rn -- "$head$cmd"$'\n' 2>/dev/null >>|$__sessionlens_spool
        return $s
    }

    autoload -Uz add-zsh-hook
    # add-zsh-hook adds a function once, however often this is loaded.
    add-zsh-hook preexec __sessionlens_preexec
    add-zsh-hook precmd __sessionlens_precmd
fi
