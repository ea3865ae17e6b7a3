#!/bin/sh
# /smoke.sh: the Linux port's acceptance checks from user mode. One line
# per check, "smoke: NAME PASS|FAIL DETAILS", then "smoke: RESULT PASS|FAIL";
# exit status 0 only if every check passed.
#   sleep      `sleep 2` lasts 2 s of /proc/uptime, within 10%
#   timer      the timer interrupt's count in /proc/interrupts rises across
#              that sleep: the lines "LOC:" and those whose action is
#              "timer", summed. Natively the local APIC's "LOC" line rises
#              (the IO-APIC's "0: ... IO-APIC 2-edge timer" counts only
#              while calibrating); on pvabi the timer VIRQ's line
#              "1: ... pvabi-event -timer timer" does (LOC stays 0)
#   fork       200 runs of an external command, all counted, and the last
#              PID moved on by at least 200
#   dd         64 MiB of zeros through a pipe hash to the known MD5
#   mmap       lbench maps, fills, checks and unmaps 16 pages 200 times
#   fsbase     a process with FS base 0 alternating with one whose base is
#              its TLS still reads through base 0 after 200 switches back
failed=0
check() { # NAME VERDICT DETAILS...
	name=$1 verdict=$2
	shift 2
	echo "smoke: $name $verdict $*"
	[ "$verdict" = PASS ] || failed=1
}

uptime_cs() { awk '{ printf "%d\n", $1 * 100 + 0.5 }' /proc/uptime; }
# The timer lines' counts summed over CPUs and lines, then each line's
# (e.g. "0=75,LOC=502").
timer_irqs() {
	awk '$1 == "LOC:" || $NF == "timer" {
		c = 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) c += $i
		sub(/:$/, "", $1)
		n += c
		lines = lines (lines == "" ? "" : ",") $1 "=" c
	} END { printf "%d %s\n", n, lines == "" ? "none" : lines }' /proc/interrupts
}

# sleep and timer
read -r irq0 lines0 <<-X
	$(timer_irqs)
X
t0=$(uptime_cs)
sleep 2
t1=$(uptime_cs)
read -r irq1 lines1 <<-X
	$(timer_irqs)
X
elapsed=$((t1 - t0))
if [ "$elapsed" -ge 180 ] && [ "$elapsed" -le 220 ]; then v=PASS; else v=FAIL; fi
check sleep $v "sleep 2 took $elapsed cs of /proc/uptime (180..220)"
if [ "$irq1" -gt "$irq0" ]; then v=PASS; else v=FAIL; fi
check timer $v "$irq0 -> $irq1 across the sleep (lines $lines0 -> $lines1)"

# fork
pid_max=$(cat /proc/sys/kernel/pid_max)
last_pid() { awk '{ print $5 }' /proc/loadavg; }
p0=$(last_pid)
runs=0
while [ $runs -lt 200 ] && lbench true; do
	runs=$((runs + 1))
done
p1=$(last_pid)
pids=$(((p1 - p0 + pid_max) % pid_max))
if [ $runs -eq 200 ] && [ $pids -ge 200 ]; then v=PASS; else v=FAIL; fi
check fork $v "$runs of 200 runs of 'lbench true' exited 0, $pids PIDs used"

# dd
zeros_md5=7f614da9329cd3aebf59b91aadc30bf0
sum=$(dd if=/dev/zero bs=1M count=64 2>/dev/null | md5sum)
sum=${sum%% *}
if [ "$sum" = $zeros_md5 ]; then v=PASS; else v=FAIL; fi
check dd $v "md5 of 64 MiB of zeros: $sum (want $zeros_md5)"

# mmap
if out=$(lbench mmapcheck 200 2>&1) && [ "$out" = "ok 200" ]; then v=PASS; else v=FAIL; fi
check mmap $v "lbench mmapcheck 200: $out"

# fsbase
if out=$(lbench fsbasecheck 200 2>&1) && [ "$out" = "ok 200" ]; then v=PASS; else v=FAIL; fi
check fsbase $v "lbench fsbasecheck 200: $out"

if [ $failed -eq 0 ]; then v=PASS; else v=FAIL; fi
echo "smoke: RESULT $v"
exit $failed
