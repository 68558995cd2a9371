#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# tb-windows.py LOG VMLINUX NM ENTRIES [ENDS [OFFSET]] - guest instructions
# per kernel function inside system calls, from QEMU's
# "-d in_asm,exec,nochain" log (LOG may be a FIFO): in_asm lists each
# translation block's instructions once, exec logs every execution of a
# block ("Trace N: host [cs_base/pc/flags/cflags]", nochain so that none is
# skipped). A window opens at a block of one of the functions ENTRIES
# (comma-separated, e.g. the system calls __arm64_sys_mprotect,...) and
# closes at the next block outside the kernel's text or in one of ENDS (where
# the log holds no user-space blocks, s390: __do_syscall). OFFSET (hex) is
# where the kernel runs above vmlinux's link addresses (s390: 3ffe0000000).
# Prints "instructions<TAB>entry<TAB>function" lines, per entry first a line
# "N<TAB>entry<TAB>TOTAL (M windows)".
# per SYM, then its functions.
import bisect, re, subprocess, sys
if len(sys.argv) < 5:
    sys.exit("usage: tb-windows.py LOG VMLINUX NM ENTRIES [ENDS [OFFSET]]")
log, vmlinux, nm, want = sys.argv[1:5]
want = want.split(',')
ends = set(sys.argv[5].split(',')) if len(sys.argv) > 5 and sys.argv[5] else set()
off = int(sys.argv[6], 16) if len(sys.argv) > 6 else 0
syms = []
for l in subprocess.run([nm, '-n', vmlinux], capture_output=True, text=True).stdout.splitlines():
    p = l.split()
    if len(p) == 3 and p[1] in 'tTwW' and not p[2].startswith('$'):
        syms.append((int(p[0], 16) + off, p[2]))
addrs = [a for a, _ in syms]
kbase = addrs[0]
kend = dict((n, a) for a, n in syms).get('_etext', addrs[-1])
missing = set(want) - {n for _, n in syms}
if missing:
    sys.exit(f"tb-windows.py: no function {', '.join(sorted(missing))} in {vmlinux}")
names = {}
def fn(pc):
    name = names.get(pc)
    if name is None:
        i = bisect.bisect_right(addrs, pc) - 1
        name = names[pc] = syms[i][1] if i >= 0 else '?'
    return name
size, count = {}, {}
cur, win, windows = None, None, {}
trace = re.compile(r'^Trace \d+: (\S+) \[[0-9a-f]+/([0-9a-f]+)/')
# A block is known by its host code and guest pc: QEMU translates the same
# pc again with another length (with -icount, a block that ends early at an
# I/O instruction), and each translation keeps the length it had when it
# first ran (the in_asm text of a translation comes before its first run)
tbsize = {}
insn = re.compile(r'^0x([0-9a-f]+):')
with open(log, errors='replace') as f:
    for line in f:
        if line.startswith('Trace'):
            cur = None
            m = trace.match(line)
            if not m:
                continue
            pc = int(m.group(2), 16)
            tb = (m.group(1), pc)
            if tb not in tbsize:
                tbsize[tb] = size.get(pc, 0)
            if pc < kbase or pc >= kend:
                win = None
                continue
            if win is not None and ends and fn(pc) in ends:
                win = None
                continue
            if win is None and fn(pc) in want:
                win = fn(pc)
                windows[win] = windows.get(win, 0) + 1
            if win is not None:
                count[(win, tb)] = count.get((win, tb), 0) + 1
        elif line.startswith('IN:'):
            cur = -1
        elif cur is not None:
            m = insn.match(line)
            if m:
                a = int(m.group(1), 16)
                if cur == -1:
                    cur = a
                    size[cur] = 0
                size[cur] += 1
            elif not line.strip():
                cur = None
per = {}
for (w, tb), n in count.items():
    key = (w, fn(tb[1]))
    per[key] = per.get(key, 0) + n * tbsize[tb]
for w in want:
    tot = sum(v for (x, _), v in per.items() if x == w)
    print(f"{tot}\t{w}\tTOTAL ({windows.get(w, 0)} windows)")
    for (x, name), v in sorted(per.items(), key=lambda kv: -kv[1]):
        if x == w:
            print(f"{v}\t{w}\t{name}")
