# Stages of scripts/test: each one timed (wall clock and CPU of what it
# ran), some run in the background beside others, and a table of them all
# printed when the script ends, also when a stage fails; the script then
# exits with that stage's status.
#
#   stage NAME             ends the running stage, starts NAME
#   background NAME CMD…   runs CMD… as stage NAME beside the next stages,
#                          its output kept until it is awaited
#   await NAME             waits for NAME, prints its output, fails if it did
# shellcheck shell=bash

STAGE_DIR="$(mktemp -d)"
stage_names=()
stage_wall=()
stage_cpu=()
stage_notes=()
stage_current=""
stage_started=0
stage_cpu_started=0
declare -A stage_pids=()
stage_count=0

# Microseconds since the epoch.
now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# Sets CPU_US to the CPU microseconds (user and system) of this shell's
# finished children. Not in a command substitution: a subshell has its own.
read_cpu() {
    local shell children part m s
    times >"$STAGE_DIR/times.$BASHPID"
    { read -r shell && read -r children; } <"$STAGE_DIR/times.$BASHPID"
    CPU_US=0
    for part in $children; do
        m="${part%%m*}"
        s="${part#*m}"
        s="${s%s}"
        CPU_US=$((CPU_US + m * 60000000 + 10#${s/./} * 1000))
    done
}

seconds() { printf '%d.%d' $(($1 / 1000000)) $(($1 % 1000000 / 100000)); }

record_stage() { # name wall_us cpu_us note
    stage_names+=("$1")
    stage_wall+=("$2")
    stage_cpu+=("$3")
    stage_notes+=("$4")
}

end_stage() {
    [[ -n "$stage_current" ]] || return 0
    read_cpu
    record_stage "$stage_current" $(($(now_us) - stage_started)) $((CPU_US - stage_cpu_started)) ""
    stage_current=""
}

stage() {
    end_stage
    stage_current="$1"
    stage_started="$(now_us)"
    read_cpu
    stage_cpu_started=$CPU_US
    say "$1"
}

background() {
    local name="$1"
    shift
    end_stage
    say "$name (in the background)"
    stage_count=$((stage_count + 1))
    local log="$STAGE_DIR/$stage_count"
    # A process group of its own, so that a failure elsewhere stops all of it.
    set -m
    (
        set -euo pipefail
        started="$(now_us)"
        trap 'read_cpu; echo "$(($(now_us) - started)) $CPU_US" >"$log.time"' EXIT
        "$@"
    ) >"$log.out" 2>&1 </dev/null &
    stage_pids["$name"]="$! $log"
    set +m
}

await() {
    local name="$1" pid log status=0 wall=0 cpu=0
    end_stage
    read -r pid log <<<"${stage_pids[$name]}"
    unset "stage_pids[$name]"
    wait "$pid" || status=$?
    say "$name (output)"
    cat "$log.out" >&2
    [[ -f "$log.time" ]] && read -r wall cpu <"$log.time"
    if ((status != 0)); then
        record_stage "$name" "$wall" "$cpu" "FAILED (exit $status)"
        exit "$status"
    fi
    record_stage "$name" "$wall" "$cpu" "in the background"
}

print_stages() {
    local status=$? i total=0
    end_stage_on_exit "$status"
    # Background stages still running when another one failed.
    local name
    for name in "${!stage_pids[@]}"; do
        kill -- "-${stage_pids[$name]%% *}" 2>/dev/null || true
        record_stage "$name" 0 0 "stopped"
    done
    {
        printf '\n== stage timings (seconds; CPU: user and system of what the stage ran)\n'
        printf '%-52s %9s %9s  %s\n' stage seconds CPU ""
        for i in "${!stage_names[@]}"; do
            printf '%-52s %9s %9s  %s\n' "${stage_names[$i]}" "$(seconds "${stage_wall[$i]}")" \
                "$(seconds "${stage_cpu[$i]}")" "${stage_notes[$i]}"
        done
        total=$(($(now_us) - script_started))
        printf '%-52s %9s\n' "total (wall clock)" "$(seconds "$total")"
        if ((status != 0)); then
            local failed="${stage_failed:-}"
            for i in "${!stage_notes[@]}"; do
                [[ "${stage_notes[$i]}" == FAILED* ]] && failed="${stage_names[$i]}"
            done
            printf 'FAILED: %s (exit %d)\n' "${failed:-unknown stage}" "$status"
        fi
    } >&2
    rm -rf "$STAGE_DIR"
    exit "$status"
}

# The stage running when the script exits failed (unless the failure was
# a background stage's, already recorded).
end_stage_on_exit() {
    [[ -n "$stage_current" ]] || return 0
    if (($1 != 0)); then
        stage_failed="$stage_current"
        read_cpu
        record_stage "$stage_current" $(($(now_us) - stage_started)) \
            $((CPU_US - stage_cpu_started)) "FAILED (exit $1)"
        stage_current=""
    else
        end_stage
    fi
}

script_started="$(now_us)"
trap print_stages EXIT
