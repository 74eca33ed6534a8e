# Session Lens's bash hook, printed by `sessionlens init bash` for `eval "$(sessionlens init bash)"`
# at the end of ~/.bashrc. It exists so that the commands typed in a terminal reach Session Lens
# without costing a process per command: each command becomes one line appended to the spool
# (format: server/capture/shell/mod.rs), with builtins only — no fork, no $(...), no pipe.
#
# How: PS0, which bash expands right after reading a command and before running it, stamps the
# start through an expansion's side effect; PROMPT_COMMAND (run first, so $? is still the
# command's) stamps the end and reads the command from history. bash has no variable holding the
# last history entry, and $(history 1) would fork, so `history 1` is written to a scratch file in
# the state dir and read back with `read`. With bash-preexec loaded, its preexec_functions and
# precmd_functions are used instead (it hands preexec the command). No DEBUG trap is set, so the
# user's own stays as it is.
#
# Never recorded: a command starting with a space, anything while SESSIONLENS_HISTORY=off in this
# shell (or on a line starting with `SESSIONLENS_HISTORY=off`), lines HISTIGNORE or
# `set +o history` keep out of history. Loading this twice hooks once.
if [[ -z ${BASH_VERSINFO-} ]] || ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then
    # PS0 and ${var@a} came with bash 4.4; older shells (macOS's 3.2) are left alone.
    printf 'sessionlens: bash 4.4 or newer is needed to record commands (this is %s)\n' "${BASH_VERSION-not bash}" >&2
else
    __sessionlens_spool=@SPOOL@
    __sessionlens_dir=@DIR@
    __sessionlens_scratch=$__sessionlens_dir/bash.$$.history
    # An empty word for PS0's expansion to take a substring of: defined, so `set -u` stays quiet.
    __sessionlens_e=

    # The clock, in microseconds since the epoch: $EPOCHREALTIME (bash 5), else printf's %(...)T
    # to the second (bash 4.4). Both builtins; the decimal point may be a comma in some locales.
    if [[ -n ${EPOCHREALTIME-} ]]; then
        __sessionlens_now() { __sessionlens_t=${EPOCHREALTIME/[.,]/}; }
        __sessionlens_ps0='${__sessionlens_e:0:__sessionlens_start=${EPOCHREALTIME/[.,]/}}'
    else
        __sessionlens_now() { printf -v __sessionlens_t '%(%s)T000000' -1; }
        __sessionlens_ps0='${__sessionlens_e:0:__sessionlens_start=\D{%s}000000}'
        # To the second, two runs of one command would end at the same time and read as one
        # line read twice (ingest knows a line by its session, end, command and status): the
        # ends of this shell's commands are kept a microsecond apart.
        __sessionlens_coarse=1
    fi

    # One shell, one session: its pid and when it started. Kept when this is loaded again.
    : "${__sessionlens_session:=}"
    if [[ ${__sessionlens_session%%-*} != "$$" ]]; then
        __sessionlens_now
        __sessionlens_session=$$-$__sessionlens_t
        __sessionlens_start= __sessionlens_cwd=$PWD
        unset __sessionlens_n __sessionlens_text
    fi

    # Appends the spool line of one command: $1 start µs, $2 exit status, $3 the command as typed,
    # $4 the folder it started in.
    __sessionlens_write() {
        [[ ${SESSIONLENS_HISTORY-} == off || -z $3 || $3 == ' '* || $3 == SESSIONLENS_HISTORY=off* ]] && return
        [[ -d $__sessionlens_dir ]] || return
        local __sl_cmd=$3 __sl_cwd=${4:-$PWD} __sl_head __sl_room __sl_lo __sl_hi __sl_mid
        __sessionlens_now
        if [[ -n ${__sessionlens_coarse-} ]]; then
            ((__sessionlens_t > ${__sessionlens_last:-0})) || __sessionlens_t=$((__sessionlens_last + 1))
            __sessionlens_last=$__sessionlens_t
        fi
        # The spool's escaping: backslash, newline, tab and carriage return (looked for first:
        # most commands have none).
        if [[ $__sl_cmd$__sl_cwd == *[$'\\\n\t\r']* ]]; then
            __sl_cmd=${__sl_cmd//\\/\\\\} __sl_cwd=${__sl_cwd//\\/\\\\}
            __sl_cmd=${__sl_cmd//$'\n'/\\n} __sl_cwd=${__sl_cwd//$'\n'/\\n}
            __sl_cmd=${__sl_cmd//$'\t'/\\t} __sl_cwd=${__sl_cwd//$'\t'/\\t}
            __sl_cmd=${__sl_cmd//$'\r'/\\r} __sl_cwd=${__sl_cwd//$'\r'/\\r}
        fi
        printf -v __sl_head '1\tbash\t%s\t%s\t%s\t%s\t%s\t' "$__sessionlens_session" "$1" "$__sessionlens_t" "$2" "$__sl_cwd"
        # printf goes through stdio, which writes a line of up to 4096 bytes (its buffer) in one
        # write(2); a longer command is cut, between characters, so that lines from shells
        # running at once never interleave. Up to 1023 characters fit whatever they are; past
        # that, bytes are counted.
        if ((${#__sl_head} + ${#__sl_cmd} > 1023)); then
            __sessionlens_bytes "$__sl_head"
            __sl_room=$((4095 - __sessionlens_b))
            __sessionlens_bytes "$__sl_cmd"
            if ((__sessionlens_b > __sl_room)); then
                ((__sl_room > 0)) || return
                # The longest start that fits, by bisection over characters: room/4 of them
                # always fit (four bytes at most each), room+1 never do.
                __sl_lo=$((__sl_room / 4)) __sl_hi=$((__sl_room + 1))
                ((__sl_hi < ${#__sl_cmd})) || __sl_hi=${#__sl_cmd}
                while ((__sl_hi - __sl_lo > 1)); do
                    __sl_mid=$(((__sl_lo + __sl_hi) / 2))
                    __sessionlens_bytes "${__sl_cmd:0:__sl_mid}"
                    if ((__sessionlens_b <= __sl_room)); then __sl_lo=$__sl_mid; else __sl_hi=$__sl_mid; fi
                done
                ((__sl_lo > 0)) || return
                __sl_cmd=${__sl_cmd:0:__sl_lo}
            fi
        fi
        printf '%s%s\n' "$__sl_head" "$__sl_cmd" 2>/dev/null >>"$__sessionlens_spool"
    }

    # The byte length of $1, in __sessionlens_b (${#var} counts characters in a UTF-8 locale).
    __sessionlens_bytes() {
        local LC_ALL=C
        __sessionlens_b=${#1}
    }

    # The last history entry: its number in __sessionlens_n, its text in __sessionlens_text.
    # The scratch file is overwritten in place (1<>), never truncated: truncating a file that
    # holds data costs a filesystem like ext4 a flush (0.2 ms here), more than all the rest. A
    # NUL after the entry ends what `read -d ''` takes; older, longer entries' tails stay behind
    # it, as they stay in ~/.bash_history (the folder is the user's alone).
    __sessionlens_last() {
        __sessionlens_n= __sessionlens_text=
        [[ -d $__sessionlens_dir ]] || return
        {
            HISTTIMEFORMAT= builtin history 1
            printf '\0'
        } 1<>"$__sessionlens_scratch" || return
        IFS= read -r -d '' __sessionlens_text <"$__sessionlens_scratch"
        # `history 1` prints "%5d%c %s\n": padding, the number, a space or a `*`, a space, the text.
        __sessionlens_text=${__sessionlens_text%$'\n'}
        __sessionlens_text=${__sessionlens_text#"${__sessionlens_text%%[! ]*}"}
        __sessionlens_n=${__sessionlens_text%%[!0-9]*}
        __sessionlens_text=${__sessionlens_text:${#__sessionlens_n}+2}
    }

    # bash keeps a line starting with a space out of history before any hook sees it
    # (ignorespace, part of ignoreboth), and `history 1` would then show the command before it.
    # As bash-preexec does, such lines are let into history, read, and deleted here: the user's
    # history ends up as ignorespace would have left it.
    __sessionlens_histcontrol() {
        if [[ ${HISTCONTROL-} == *ignorespace* || ${HISTCONTROL-} == *ignoreboth* ]]; then
            __sessionlens_dropspace=1
            HISTCONTROL=${HISTCONTROL//ignorespace/}
            HISTCONTROL=${HISTCONTROL//ignoreboth/ignoredups}
        fi
    }

    # PROMPT_COMMAND's hook, run before each prompt. A command ran only if PS0 stamped its start
    # (an empty line or Ctrl-C at the prompt runs nothing); it started in the folder the prompt
    # before it was shown in. Called with "$_" so that $_ is the user's last argument again
    # afterwards; returns the command's status for what runs next.
    __sessionlens_precmd() {
        local __sl_status=$? __sl_start=$__sessionlens_start __sl_cwd=$__sessionlens_cwd __sl_n __sl_text
        __sessionlens_start= __sessionlens_cwd=$PWD
        if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
            # bash-preexec was loaded after this; it takes over PROMPT_COMMAND and the DEBUG trap
            # at its first prompt, this one, so the hook moves to its arrays before that.
            __sessionlens_use_bash_preexec
            return "$__sl_status"
        fi
        # Someone may set PS0 after this was loaded: the stamp goes back in front.
        [[ ${PS0-} == *"$__sessionlens_ps0"* ]] || PS0=$__sessionlens_ps0${PS0-}
        __sessionlens_histcontrol
        if [[ -z ${__sessionlens_n+set} ]]; then
            # The first prompt, history now loaded: what was last before any command of ours.
            __sessionlens_last
        elif [[ -n $__sl_start ]] && [[ -o history ]]; then
            __sl_n=$__sessionlens_n __sl_text=$__sessionlens_text
            __sessionlens_last
            if [[ -z $__sessionlens_n ]]; then
                : # history is empty (HISTSIZE=0, history -c): nothing to read
            elif [[ $__sessionlens_n == "$__sl_n" && $__sessionlens_text == "$__sl_text" ]]; then
                # The line did not enter history. A repeat kept out by ignoredups or erasedups is
                # the last entry itself; a line HISTIGNORE kept out is unknown, so not recorded.
                [[ ${HISTCONTROL-} == *dups* && -z ${HISTIGNORE-} ]] &&
                    __sessionlens_write "$__sl_start" "$__sl_status" "$__sessionlens_text" "$__sl_cwd"
            elif [[ $__sessionlens_text == ' '* && -n ${__sessionlens_dropspace-} ]]; then
                builtin history -d "$__sessionlens_n" 2>/dev/null
                __sessionlens_n=$__sl_n __sessionlens_text=$__sl_text
            else
                __sessionlens_write "$__sl_start" "$__sl_status" "$__sessionlens_text" "$__sl_cwd"
            fi
        fi
        return "$__sl_status"
    }

    # With bash-preexec: it hands preexec the command (read from history) and gives each precmd
    # function the command's $?.
    __sessionlens_preexec() {
        __sessionlens_now
        __sessionlens_start=$__sessionlens_t __sessionlens_pending=$1 __sessionlens_cwd=$PWD
    }
    __sessionlens_precmd_bp() {
        local __sl_status=$?
        if [[ -n $__sessionlens_start ]]; then
            __sessionlens_write "$__sessionlens_start" "$__sl_status" "$__sessionlens_pending" "$__sessionlens_cwd"
            __sessionlens_start= __sessionlens_pending=
        fi
        return "$__sl_status"
    }

    # Moves the hook to bash-preexec's arrays: out of PROMPT_COMMAND (string or array) and PS0,
    # and HISTCONTROL as the user had it, since bash-preexec handles ignorespace the same way.
    __sessionlens_use_bash_preexec() {
        local __sl_i
        preexec_functions+=(__sessionlens_preexec)
        precmd_functions+=(__sessionlens_precmd_bp)
        PS0=${PS0/"$__sessionlens_ps0"/}
        if [[ ${PROMPT_COMMAND@a} == *a* ]]; then
            for __sl_i in "${!PROMPT_COMMAND[@]}"; do
                [[ ${PROMPT_COMMAND[__sl_i]} == '__sessionlens_precmd "$_"' ]] && unset "PROMPT_COMMAND[__sl_i]"
            done
        else
            PROMPT_COMMAND=${PROMPT_COMMAND/'__sessionlens_precmd "$_"'$'\n'/}
            PROMPT_COMMAND=${PROMPT_COMMAND/'__sessionlens_precmd "$_"'/}
        fi
        if [[ -n ${__sessionlens_dropspace-} ]]; then
            HISTCONTROL=${HISTCONTROL:+$HISTCONTROL:}ignorespace
            __sessionlens_dropspace=
        fi
    }

    if [[ ${PROMPT_COMMAND[*]-} == *__sessionlens_precmd* || " ${precmd_functions[*]-} " == *" __sessionlens_precmd_bp "* ]]; then
        : # loaded before: the functions and paths above are refreshed, the hooks stay as they are
    elif [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
        preexec_functions+=(__sessionlens_preexec)
        precmd_functions+=(__sessionlens_precmd_bp)
    else
        __sessionlens_histcontrol
        PS0=$__sessionlens_ps0${PS0-}
        # First, so that $? is still the command's; the user's entries (string or array) follow.
        if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
            PROMPT_COMMAND=('__sessionlens_precmd "$_"' "${PROMPT_COMMAND[@]}")
        else
            PROMPT_COMMAND='__sessionlens_precmd "$_"'${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
        fi
    fi
fi
