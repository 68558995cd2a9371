// SPDX-License-Identifier: GPL-2.0
/*
 * /init for the userspace boot: runs every program named in /tests/list
 * (one name a line, found as /tests/<name>), prints the top-level KTAP
 * lines from their exit status, and ends the boot.
 *
 * Built with the kernel's nolibc: no cross libc needed. /tests/shutdown says
 * how the boot ends: "poweroff" (sun4u cannot reboot under QEMU) or
 * "reboot" (the default; QEMU runs with -no-reboot).
 */
#include <linux/reboot.h>

#define MAX_TESTS 32

static char list[4096];

static int read_file(const char *path, char *buf, int size)
{
	int fd = open(path, O_RDONLY);
	int len = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[len > 0 ? len : 0] = '\0';
	return len;
}

static void finish(void)
{
	char how[16];

	read_file("/tests/shutdown", how, sizeof(how));
	printf("# init: ending the boot with %s\n", how[0] ? how : "reboot");
	if (!strncmp(how, "poweroff", 8))
		reboot(LINUX_REBOOT_CMD_POWER_OFF);
	reboot(LINUX_REBOOT_CMD_RESTART);
	for (;;)
		sched_yield();
}

int main(int argc, char **argv, char **envp)
{
	char *names[MAX_TESTS];
	int n = 0, i, len, failed = 0;
	char *p;

	len = read_file("/tests/list", list, sizeof(list));
	if (len <= 0) {
		printf("KTAP version 1\n1..0\n# init: cannot read /tests/list\n");
		printf("Bail out! no tests\n");
		finish();
	}
	for (p = list; *p && n < MAX_TESTS; ) {
		names[n++] = p;
		while (*p && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
		if (!*names[n - 1])
			n--;
	}

	printf("KTAP version 1\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		char path[128] = "/tests/";
		char *args[] = { path, NULL };
		int status = -1;
		pid_t pid;

		strncat(path, names[i], sizeof(path) - 8);
		pid = fork();
		if (pid == 0) {
			execve(path, args, envp);
			printf("    # exec %s failed: %d\n", path, errno);
			exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) != pid)
			status = -1;
		if (status == 0) {
			printf("ok %d %s\n", i + 1, names[i]);
		} else {
			failed++;
			printf("# %s: exit status 0x%x\n", names[i], status);
			printf("not ok %d %s\n", i + 1, names[i]);
		}
	}
	printf("# userspace: %d passed, %d failed\n", n - failed, failed);
	finish();
	return 0;
}
