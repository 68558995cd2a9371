/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether the calling CPU can write or read a page, tried through the
 * kernel: read() from a pipe into the page, write() from it into the pipe.
 * A page the CPU may not access fails with EFAULT instead of killing the
 * process. The system calls are nolibc's _sys_ ones, which return -errno
 * and leave errno alone: nolibc's errno is one variable for every thread,
 * and two threads probe at once (mm_stress). Where the kernel and user space
 * share TLB entries for user addresses, that goes through the calling CPU's
 * TLB like a user access. The program opens probe_pipe with pipe() first.
 */
#ifndef LAZY_MMU_PROBE_H
#define LAZY_MMU_PROBE_H

static int probe_pipe[2];

/*
 * 1: the calling CPU can write 8 bytes at p; 0: EFAULT; -1: the probe
 * failed. fds: a pipe of the calling thread's own (threads that probe at
 * the same time must not share one)
 */
static inline int writable_on(const int *fds, unsigned char *p)
{
	unsigned long v = 0x5a5a5a5a;
	long r;

	if (_sys_write(fds[1], &v, sizeof(v)) != sizeof(v))
		return -1;
	r = _sys_read(fds[0], p, sizeof(v));
	if (r == sizeof(v))
		return 1;
	/* The failed read consumed nothing */
	if (r != -EFAULT || _sys_read(fds[0], &v, sizeof(v)) != sizeof(v))
		return -1;
	return 0;
}

/* The same for reading 8 bytes at p */
static inline int readable_on(const int *fds, const unsigned char *p)
{
	unsigned long v;
	long r = _sys_write(fds[1], p, sizeof(v));

	if (r == sizeof(v))
		return _sys_read(fds[0], &v, sizeof(v)) == sizeof(v) ? 1 : -1;
	return r == -EFAULT ? 0 : -1;
}

/* Through probe_pipe */
static inline int writable(unsigned char *p)
{
	return writable_on(probe_pipe, p);
}

static inline int readable(const unsigned char *p)
{
	return readable_on(probe_pipe, p);
}

#endif
