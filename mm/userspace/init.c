// SPDX-License-Identifier: GPL-2.0
/*
 * /init for the userspace boot: runs every program named in /tests/list
 * (found as /tests/<name>), prints the top-level KTAP lines from their exit
 * status, and ends the boot.
 *
 * A line of /tests/list is "<name> [<kind> [<argument>...]]", words split
 * by blanks. The kind says how the program reports:
 *   ktap       (the default) the programs of mm/userspace/: they print
 *              their own KTAP already nested (indented by four spaces);
 *   kselftest  the kernel's selftests (tools/testing/selftests/mm/): their
 *              TAP is printed at the top level, so /init nests every line
 *              by four spaces under a KTAP header of its own (dropping
 *              theirs), and exit status 4 (KSFT_SKIP) is a skip.
 *
 * Before the first program, /proc and /sys are mounted (the selftests read
 * /proc/self/pagemap, /proc/self/smaps and /sys/kernel/mm; where a file
 * system is not built, the mount fails and the tests that need it skip);
 * the initramfs has the mount points and /tmp.
 *
 * Built with the kernel's nolibc: no cross libc needed. /tests/shutdown says
 * how the boot ends: "poweroff" (sun4u cannot reboot under QEMU) or
 * "reboot" (the default; QEMU runs with -no-reboot).
 */
#include <linux/reboot.h>

#define MAX_TESTS	32
#define MAX_ARGS	16
#define KSFT_SKIP	4

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

/* Split a line into blank-separated words; returns how many, -1 if more than max */
static int split(char *line, char **words, int max)
{
	int n = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (!*line)
			return n;
		if (n == max)
			return -1;
		words[n++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
}

/* Print one line of a selftest's output, nested; its own TAP header is dropped */
static void nest_line(const char *line, int len)
{
	char out[1100];

	if ((len == 15 && !strncmp(line, "TAP version 13\n", 15)) ||
	    (len == 15 && !strncmp(line, "KTAP version 1\n", 15)))
		return;
	memcpy(out, "    ", 4);
	memcpy(out + 4, line, len);
	write(1, out, len + 4);
}

/*
 * Copy what a selftest writes to fd, each line indented by four spaces,
 * under a KTAP header of our own: not every selftest prints one before its
 * first result (mremap_test prints its plan first).
 */
static void nest_output(int fd, const char *name)
{
	char in[512], line[1024];
	int len, i, n = 0;

	printf("    KTAP version 1\n    # Subtest: %s\n", name);
	while ((len = read(fd, in, sizeof(in))) > 0) {
		for (i = 0; i < len; i++) {
			line[n++] = in[i];
			if (in[i] == '\n' || n == sizeof(line) - 1) {
				if (in[i] != '\n')
					line[n++] = '\n';
				nest_line(line, n);
				n = 0;
			}
		}
	}
	if (n) {
		line[n++] = '\n';
		nest_line(line, n);
	}
}

/* Run /tests/<name> with the words after the kind as its arguments */
static int run(char **words, int nwords, int kselftest, char **envp)
{
	char path[128] = "/tests/";
	char *args[MAX_ARGS + 2];	/* the path, the arguments, NULL */
	int status = -1, pipefd[2] = { -1, -1 }, i;
	pid_t pid;

	strncat(path, words[0], sizeof(path) - 8);
	args[0] = path;
	for (i = 2; i < nwords; i++)
		args[i - 1] = words[i];
	args[nwords > 1 ? nwords - 1 : 1] = NULL;

	if (kselftest && pipe(pipefd) < 0) {
		printf("    # %s: pipe failed: %d\n", words[0], errno);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		if (kselftest) {
			dup2(pipefd[1], 1);
			dup2(pipefd[1], 2);
			close(pipefd[0]);
			close(pipefd[1]);
		}
		execve(path, args, envp);
		printf("# exec %s failed: %d\n", path, errno);
		exit(127);
	}
	if (kselftest) {
		close(pipefd[1]);
		if (pid > 0)
			nest_output(pipefd[0], words[0]);
		close(pipefd[0]);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	return status;
}

int main(int argc, char **argv, char **envp)
{
	char *lines[MAX_TESTS];
	int n = 0, i, len, failed = 0, skipped = 0;
	char *p;

	len = read_file("/tests/list", list, sizeof(list));
	if (len <= 0) {
		printf("KTAP version 1\n1..0\n# init: cannot read /tests/list\n");
		printf("Bail out! no tests\n");
		finish();
	}
	for (p = list; *p && n < MAX_TESTS; ) {
		lines[n++] = p;
		while (*p && *p != '\n')
			p++;
		if (*p)
			*p++ = '\0';
		if (!*lines[n - 1])
			n--;
	}

	printf("KTAP version 1\n1..%d\n", n);
	if (mount("proc", "/proc", "proc", 0, NULL) < 0)
		printf("# init: mount /proc: %d\n", errno);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		printf("# init: mount /sys: %d\n", errno);
	for (i = 0; i < n; i++) {
		char *words[MAX_ARGS + 2];
		int nwords = split(lines[i], words, MAX_ARGS + 2);
		int kselftest = nwords > 1 && !strcmp(words[1], "kselftest");
		int status;

		if (nwords <= 0 || (nwords > 1 && !kselftest && strcmp(words[1], "ktap"))) {
			failed++;
			printf("# init: bad line %d of /tests/list\n", i + 1);
			printf("not ok %d %s\n", i + 1, nwords > 0 ? words[0] : "?");
			continue;
		}
		status = run(words, nwords, kselftest, envp);
		if (status == 0) {
			printf("ok %d %s\n", i + 1, words[0]);
		} else if (kselftest && WIFEXITED(status) &&
			   WEXITSTATUS(status) == KSFT_SKIP) {
			skipped++;
			printf("ok %d %s # SKIP\n", i + 1, words[0]);
		} else {
			failed++;
			printf("# %s: exit status 0x%x\n", words[0], status);
			printf("not ok %d %s\n", i + 1, words[0]);
		}
	}
	printf("# userspace: %d passed, %d skipped, %d failed\n",
	       n - failed - skipped, skipped, failed);
	finish();
	return 0;
}
