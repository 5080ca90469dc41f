#!/bin/sh
# polyproc's resource tracker: the server side of multiprocessing.resource_tracker.
#
# One per program tree, as CPython's: every process of the program holds the write end of the
# pipe at descriptor 4 and writes "REGISTER:name:type" / "UNREGISTER:name:type" lines (each
# shorter than PIPE_BUF, so atomic). When the last writer is gone - the program ended, however it
# ended, SIGKILL included - read sees end of file and whatever is still registered is removed.
#
# Why a shell and not a Python process: CPython's tracker is one more interpreter; here that
# would be one more JVM (seconds to boot, ~300 MB) for a loop over a pipe. sh starts in a
# millisecond and removing a POSIX semaphore or shared-memory segment on Linux is removing its
# file under /dev/shm (sem_unlink and shm_unlink do exactly that in glibc).
#
# Types: semaphore (/dev/shm/sem.NAME), shared_memory (/dev/shm/NAME), folder (a directory:
# multiprocessing's temporary folder, which holds its Unix socket files).
# SIGPIPE too: the program's stderr may be a pipe whose reader went with the program.
trap '' INT TERM HUP PIPE
set -f
NL='
'
registered=

without() { # $1: newline-separated list, $2: an entry; prints the list without that entry
    result=
    saved_ifs=$IFS; IFS=$NL
    for entry in $1; do
        [ "$entry" = "$2" ] || result="$result$NL$entry"
    done
    IFS=$saved_ifs
    printf '%s' "$result"
}

path_of() { # $1: type, $2: name
    case $1 in
        semaphore) echo "/dev/shm/sem.${2#/}" ;;
        shared_memory) echo "/dev/shm/${2#/}" ;;
        folder) echo "$2" ;;
    esac
}

while IFS= read -r line <&4; do
    cmd=${line%%:*}; rest=${line#*:}
    name=${rest%:*}; type=${rest##*:}
    case $type in semaphore|shared_memory|folder|noop) ;; *)
        echo "resource_tracker: Cannot register $name for automatic cleanup: unknown resource type $type" >&2
        continue ;;
    esac
    # $(...) drops the list's last newline: put it back, then add the entry.
    case $cmd in
        REGISTER) registered="$(without "$registered" "$type:$name")$NL$type:$name" ;;
        UNREGISTER) registered=$(without "$registered" "$type:$name") ;;
        PROBE) ;;
        *) echo "resource_tracker: unrecognized command $cmd" >&2 ;;
    esac
done

# As CPython's tracker: every name still registered counts as leaked, and one that is already
# gone is reported with the error its removal met.
for type in semaphore shared_memory folder; do
    leaked=
    count=0
    saved_ifs=$IFS; IFS=$NL
    for entry in $registered; do
        [ "${entry%%:*}" = "$type" ] || continue
        count=$((count + 1))
        leaked="$leaked${entry#*:}$NL"
    done
    missing=
    for name in $leaked; do
        path=$(path_of "$type" "$name")
        if [ -e "$path" ]; then
            rm -rf -- "$path"
        else
            missing="$missing$name$NL"
        fi
    done
    # Warn only once the cleaning is done: stderr may be gone (SIGPIPE is ignored).
    if [ "$type" != folder ]; then
        if [ $count -gt 0 ]; then
            echo "resource_tracker: There appear to be $count leaked $type objects to clean up at shutdown" >&2
        fi
        for name in $missing; do
            case $type in
                semaphore) echo "resource_tracker: '$name': [Errno 2] No such file or directory" >&2 ;;
                shared_memory) echo "resource_tracker: '$name': [Errno 2] No such file or directory: '$name'" >&2 ;;
            esac
        done
    fi
    IFS=$saved_ifs
done
