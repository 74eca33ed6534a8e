# Session Lens's fish hook, printed by `sessionlens init fish` for `sessionlens init fish | source`
# at the end of ~/.config/fish/config.fish. It exists so that the commands typed in a terminal
# reach Session Lens without costing a process per command: each command becomes one line
# appended to the spool (format: server/capture/shell/mod.rs), with builtins only (fish runs
# builtins in command substitutions in-process).
#
# How: a fish_postexec handler gets the command line, its $status and $CMD_DURATION (ms), and
# writes the line; the command started in the folder the one before it ended in. fish (3.6) has
# no sub-second clock builtin: the end is the mtime, to the second, of a per-shell clock file
# touched by an empty redirection and read with `path mtime`; the start is that end less
# $CMD_DURATION, so the duration is exact and both times are to the second (the ends of one
# shell's commands a microsecond apart at least, so that each is a line of its own). Other
# handlers are left as they are; fish restores $status after event handlers. Every command
# substitution costs fish tens of microseconds, so the handler uses as few as it can.
#
# Never recorded: a command starting with a space, anything while SESSIONLENS_HISTORY=off in this
# shell (or on a line starting with `SESSIONLENS_HISTORY=off`). Loading this twice hooks once: a
# function defined again replaces its event handler.
if not contains -- path (builtin -n)
    # `path` (mtime) came with fish 3.5.
    echo 'sessionlens: fish 3.5 or newer is needed to record commands' >&2
else
    set -g __sessionlens_spool @SPOOL@
    set -g __sessionlens_dir @DIR@
    set -g __sessionlens_clock $__sessionlens_dir/fish.$fish_pid.clock
    set -g __sessionlens_pwd $PWD

    # One shell, one session: its pid and when it started (to the second). Kept when this is
    # loaded again.
    if not string match -q -- "$fish_pid-*" "$__sessionlens_session"
        set -g __sessionlens_session
        if test -d $__sessionlens_dir
            printf '' >$__sessionlens_clock
            set -g __sessionlens_session $fish_pid-(path mtime -- $__sessionlens_clock)000000
        end
    end

    # The byte length of $argv[1]: fish counts characters, so those past ASCII are counted again
    # once for each byte they take beyond the first (from U+0080, U+0800 and U+10000 on).
    function __sessionlens_bytes
        set -l n (string length -- "$argv[1]")
        if string match -qr -- '[^\x00-\x7f]' "$argv[1]"
            for below in '\x00-\x7f' '\x00-\x{7ff}' '\x00-\x{ffff}'
                set n (math $n + (string length -- (string replace -ra -- "[$below]" '' "$argv[1]")))
            end
        end
        echo $n
    end

    function __sessionlens_postexec --on-event fish_postexec
        set -l s $status
        # Where the command started: where the one before it ended (a `cd` is recorded where it
        # was typed).
        set -l cwd $__sessionlens_pwd
        set -g __sessionlens_pwd $PWD
        test "$SESSIONLENS_HISTORY" = off; and return $s
        # Empty, starting with a space, or with SESSIONLENS_HISTORY=off: not recorded. (Quoted:
        # `string` given no argument would read the terminal.)
        string match -qr -- '^(?:$| |SESSIONLENS_HISTORY=off)' "$argv[1]"; and return $s
        set -l cmd $argv[1]
        # A redirection that fails prints a warning whatever 2> says: the folder is checked first.
        test -d $__sessionlens_dir; or return $s
        if test -z "$__sessionlens_session"
            printf '' >$__sessionlens_clock
            set -g __sessionlens_session $fish_pid-(path mtime -- $__sessionlens_clock)000000
        end
        printf '' >$__sessionlens_clock
        set -l end (path mtime -- $__sessionlens_clock)000000
        # Within a second every command would end at the same time, and two runs of one command
        # would be one line read twice (ingest knows a line by its session, end, command and
        # status): the ends of one shell's commands are kept apart by a microsecond.
        if test -n "$__sessionlens_last"; and test $end -le $__sessionlens_last
            set end (math $__sessionlens_last + 1)
        end
        set -g __sessionlens_last $end
        set -l start $end
        if test "$CMD_DURATION" != 0
            set start
            test -n "$CMD_DURATION"; and set start (math $end - $CMD_DURATION \* 1000)
        end
        # The spool's escaping: backslash, newline, tab and carriage return. A command
        # substitution splits on newlines, so the lines come back as a list and are joined with \n.
        # Most commands need none of it: looked for first.
        if string match -qr -- '[\\\\\n\t\r]' "$cmd$cwd"
            set cmd (string replace -a -- \\ \\\\ $cmd)
            set cmd (string join -- '\n' $cmd)
            set cmd (string replace -a -- \t '\t' $cmd)
            set cmd (string replace -a -- \r '\r' $cmd)
            set cwd (string replace -a -- \\ \\\\ $cwd)
            set cwd (string join -- '\n' $cwd)
            set cwd (string replace -a -- \t '\t' $cwd)
            set cwd (string replace -a -- \r '\r' $cwd)
        end
        # fish writes a builtin's output to a file 512 bytes at a time: a line stays within 512
        # bytes so that it is one write(2) and lines from shells running at once never
        # interleave; a longer command is cut, between characters. With the folder and the
        # command under 100 characters, four bytes each at most, the line fits whatever they
        # are; past that, bytes are counted.
        if not string match -qr -- '.{100}' "$cwd$cmd"
            printf '1\tfish\t%s\t%s\t%s\t%s\t%s\t%s\n' $__sessionlens_session "$start" $end $s "$cwd" "$cmd" >>$__sessionlens_spool
            return $s
        end
        set -l head (printf '1\tfish\t%s\t%s\t%s\t%s\t%s\t' $__sessionlens_session "$start" $end $s "$cwd")
        set -l room (math 511 - (__sessionlens_bytes "$head"))
        if test (__sessionlens_bytes "$cmd") -gt $room
            test $room -gt 0; or return $s
            # The longest start that fits, by bisection over characters: room/4 of them always
            # fit (four bytes at most each), room+1 never do.
            set -l chars (string length -- "$cmd")
            set -l lo (math "floor($room / 4)")
            set -l hi (math "min($room + 1, $chars)")
            while test (math $hi - $lo) -gt 1
                set -l mid (math "floor(($lo + $hi) / 2)")
                if test (__sessionlens_bytes (string sub -l $mid -- "$cmd")) -le $room
                    set lo $mid
                else
                    set hi $mid
                end
            end
            test $lo -gt 0; or return $s
            set cmd (string sub -l $lo -- "$cmd")
        end
        printf '%s%s\n' "$head" "$cmd" >>$__sessionlens_spool
        return $s
    end
end
