/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * usbmock: runs a command with fake Qualcomm USB devices attached, for
 * testing the unmodified qcbox binary through real libusb.  Each device's
 * bulk pipes can be bridged to a qcbox-sim socket, so the simulator plays
 * the phone behind a 05c6:9008 or 05c6:900e; its serial port (a umockdev
 * pty) can be bridged the same way.  Must run under umockdev-wrapper;
 * exits 77 otherwise.  The exit status is the command's.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fakeusb.h"

extern char **environ;

#define MAX_DEVS      8
#define OUT_HIGH      (4u << 20) /* host data the bridge may hold before NAKing */
#define CMD_TIMEOUT_S 120

struct mockdev {
	struct fakeusb_config cfg;
	char strs[4][256]; /* product, manufacturer, serial, driver */
	char tty[32];
	const char *sim, *tty_sim;
	uint8_t greet[256]; /* sent unprompted once plugged in */
	size_t greet_len;
	const char *reply; /* without a simulator: answer to every OUT transfer */
	uint16_t replug_vid, replug_pid; /* re-enumerate as this after the simulator hangs up */
	char replug_product[256];
	int after_ms;
	uint64_t unplug_after; /* 0: never */
	struct fakeusb_dev *d;
	/* bridge state, under the device lock */
	uint8_t *out;
	size_t out_len;
	uint64_t taken;
	int wake[2];
	pthread_t later, thread, tty_thread;
	bool have_later, have_thread, have_tty_thread;
};

static struct fakeusb *fu;
static struct mockdev devs[MAX_DEVS];
static int ndevs;
static volatile int stopping;
static FILE *evlog;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static __attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "usbmock: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void logev(struct fakeusb_dev *d, const char *fmt, ...)
{
	va_list ap;

	if (!evlog)
		return;
	pthread_mutex_lock(&log_lock);
	fprintf(evlog, "%s ", fakeusb_bus_port(d));
	va_start(ap, fmt);
	vfprintf(evlog, fmt, ap);
	va_end(ap);
	fputc('\n', evlog);
	fflush(evlog);
	pthread_mutex_unlock(&log_lock);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void poke(struct mockdev *m)
{
	if (m->wake[1] >= 0 && write(m->wake[1], "", 1) < 0 && errno != EAGAIN)
		perror("usbmock: wake");
}

/* Device side of the bulk OUT pipe (device lock held). */
static bool dev_out(struct fakeusb_dev *d, const uint8_t *data, size_t len, void *user)
{
	struct mockdev *m = user;

	if (!len) {
		logev(d, "zlp");
		return true;
	}
	if (m->unplug_after && m->taken + len > m->unplug_after) {
		logev(d, "unplug after %llu bytes", (unsigned long long)m->taken);
		fakeusb_unplug(d, false);
		poke(m); /* the bridge thread removes it from sysfs */
		return false;
	}
	if (m->sim) {
		if (m->out_len + len > OUT_HIGH)
			return false; /* full: NAK until the simulator catches up */
		uint8_t *n = realloc(m->out, m->out_len + len);

		if (!n)
			return false;
		m->out = n;
		memcpy(m->out + m->out_len, data, len);
		m->out_len += len;
		poke(m);
	}
	m->taken += len;
	logev(d, "out %zu", len);
	if (!m->sim && m->reply)
		fakeusb_send(d, m->reply, strlen(m->reply), true);
	return true;
}

static const struct fakeusb_ops dev_ops = {.out = dev_out};

static int connect_unix(const char *spec)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	const char *path = spec + 5;

	if (strncmp(spec, "unix:", 5) || strlen(path) >= sizeof(a.sun_path))
		die("sim=%s: expected unix:PATH", spec);
	strcpy(a.sun_path, path);
	for (int i = 0; i < 200; i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		sleep_ms(25);
	}
	die("cannot connect to %s: %s", spec, strerror(errno));
	return -1;
}

/* Simulator <-> bulk pipes until the simulator hangs up (true) or the
 * device is gone or we stop (false).  What the simulator writes becomes IN
 * transfers. */
static bool serve_link(struct mockdev *m, int fd, uint8_t *in, size_t cap)
{
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (!stopping) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = m->wake[0], .events = POLLIN}};

		fakeusb_lock(m->d);
		if (m->out_len)
			p[0].events |= POLLOUT;
		fakeusb_unlock(m->d);
		if (poll(p, 2, 200) < 0 && errno != EINTR)
			return false;
		if (p[1].revents & POLLIN) {
			char sink[64];

			while (read(m->wake[0], sink, sizeof(sink)) > 0)
				;
		}
		if (fakeusb_gone(m->d))
			return false;
		if (p[0].revents & POLLOUT) {
			fakeusb_lock(m->d);
			ssize_t w = write(fd, m->out, m->out_len);

			if (w > 0) {
				memmove(m->out, m->out + w, m->out_len - (size_t)w);
				m->out_len -= (size_t)w;
			}
			fakeusb_unlock(m->d);
			fakeusb_kick(m->d);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(fd, in, cap);

			if (n > 0) {
				fakeusb_send(m->d, in, (size_t)n, true);
				logev(m->d, "in %zd", n);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				logev(m->d, "unplug: the simulator hung up");
				return true;
			}
		}
	}
	return false;
}

/* When the simulator hangs up the cable is pulled.  A phone that
 * re-enumerates in another mode (diag to-edl) comes back with replug= as a
 * new device on the same port, and the bridge reconnects. */
static void *bridge(void *arg)
{
	struct mockdev *m = arg;
	/* One read of the socket is one device transfer: large enough that a
	 * 1 MiB Firehose chunk is not cut into many ZLP-terminated pieces. */
	size_t cap = 1u << 20;
	uint8_t *in = malloc(cap);

	for (;;) {
		int fd = connect_unix(m->sim), port = 0;
		bool hung_up = serve_link(m, fd, in, cap);

		close(fd);
		if (stopping)
			break;
		/* What the simulator said before it hung up still reaches a host
		 * that is reading, as a phone's last answer does before it drops
		 * off the bus; then the cable goes. */
		for (int i = 0; hung_up && i < 50 && !stopping && fakeusb_in_queued(m->d); i++)
			sleep_ms(20);
		fakeusb_unplug(m->d, true);
		if (!hung_up || !m->replug_vid)
			break;
		sleep_ms(200);
		sscanf(fakeusb_bus_port(m->d), "%*d-%d", &port);
		m->cfg.port = port;
		m->cfg.vid = m->replug_vid;
		m->cfg.pid = m->replug_pid;
		m->cfg.product = m->replug_product[0] ? m->replug_product : NULL;
		m->cfg.serial = NULL;
		m->cfg.driver = NULL;
		m->cfg.tty = NULL;
		m->replug_vid = 0;
		m->out_len = 0; /* what the old device had not passed on is lost with it */
		m->d = fakeusb_add(fu, &m->cfg, &dev_ops, m);
		if (!m->d)
			die("cannot replug %04x:%04x", m->cfg.vid, m->cfg.pid);
		logev(m->d, "plugged %04x:%04x", m->cfg.vid, m->cfg.pid);
	}
	free(in);
	return NULL;
}

/* Simulator <-> the pty behind /dev/ttyUSBn. */
static void *tty_bridge(void *arg)
{
	struct mockdev *m = arg;
	int fd = connect_unix(m->tty_sim), pty = fakeusb_tty_fd(m->d);
	uint8_t buf[4096];
	struct termios tio;

	if (pty < 0)
		die("device %s has no tty", fakeusb_bus_port(m->d));
	if (tcgetattr(pty, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(pty, TCSANOW, &tio);
	}
	while (!stopping) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = pty, .events = POLLIN}};

		if (poll(p, 2, 200) < 0 && errno != EINTR)
			break;
		if (p[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0)
				break;
			if (write(pty, buf, (size_t)n) != n)
				break;
		}
		if (p[1].revents & POLLIN) {
			ssize_t n = read(pty, buf, sizeof(buf));

			if (n > 0 && write(fd, buf, (size_t)n) != n)
				break;
		} else if (p[1].revents & POLLHUP) {
			sleep_ms(20); /* nobody has the tty open */
		}
	}
	close(fd);
	return NULL;
}

static void start(struct mockdev *m)
{
	m->d = fakeusb_add(fu, &m->cfg, &dev_ops, m);
	if (!m->d)
		die("cannot add device %04x:%04x to the testbed", m->cfg.vid, m->cfg.pid);
	logev(m->d, "plugged %04x:%04x", m->cfg.vid, m->cfg.pid);
	if (m->greet_len)
		fakeusb_send(m->d, m->greet, m->greet_len, true);
	if (m->sim) {
		pthread_create(&m->thread, NULL, bridge, m);
		m->have_thread = true;
	}
	if (m->tty_sim) {
		pthread_create(&m->tty_thread, NULL, tty_bridge, m);
		m->have_tty_thread = true;
	}
}

static void *start_later(void *arg)
{
	struct mockdev *m = arg;

	sleep_ms(m->after_ms);
	if (!stopping)
		start(m);
	return NULL;
}

static unsigned long num(const char *key, const char *v, int base)
{
	char *end;
	unsigned long n = strtoul(v, &end, base);

	if (!*v || *end)
		die("%s=%s: not a number", key, v);
	return n;
}

static size_t unhex(const char *v, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (; v[0] && v[1]; v += 2) {
		unsigned b;

		if (n == cap || sscanf(v, "%2x", &b) != 1)
			die("greet=%s: expected hex bytes", v);
		out[n++] = (uint8_t)b;
	}
	if (*v)
		die("greet: odd number of hex digits");
	return n;
}

/* VID:PID[,key=value...] */
static void parse_dev(char *spec, struct mockdev *m)
{
	char *save = NULL, *tok = strtok_r(spec, ",", &save);
	unsigned vid, pid;

	memset(m, 0, sizeof(*m));
	m->wake[0] = m->wake[1] = -1;
	if (!tok || sscanf(tok, "%4x:%4x", &vid, &pid) != 2)
		die("--dev %s: starts with VID:PID", spec);
	m->cfg.vid = (uint16_t)vid;
	m->cfg.pid = (uint16_t)pid;
	while ((tok = strtok_r(NULL, ",", &save))) {
		char *eq = strchr(tok, '=');
		const char *v = eq ? eq + 1 : "";

		if (eq)
			*eq = '\0';
		if (!strcmp(tok, "port"))
			m->cfg.port = (int)num(tok, v, 10);
		else if (!strcmp(tok, "bus"))
			m->cfg.bus = (int)num(tok, v, 10);
		else if (!strcmp(tok, "product"))
			m->cfg.product = strncpy(m->strs[0], v, sizeof(m->strs[0]) - 1);
		else if (!strcmp(tok, "manufacturer"))
			m->cfg.manufacturer = strncpy(m->strs[1], v, sizeof(m->strs[1]) - 1);
		else if (!strcmp(tok, "serial"))
			m->cfg.serial = strncpy(m->strs[2], v, sizeof(m->strs[2]) - 1);
		else if (!strcmp(tok, "driver"))
			m->cfg.driver = strncpy(m->strs[3], v, sizeof(m->strs[3]) - 1);
		else if (!strcmp(tok, "tty"))
			m->cfg.tty = strncpy(m->tty, v, sizeof(m->tty) - 1);
		else if (!strcmp(tok, "iface"))
			m->cfg.iface = (int)num(tok, v, 10);
		else if (!strcmp(tok, "proto"))
			m->cfg.protocol = (uint8_t)num(tok, v, 16);
		else if (!strcmp(tok, "sub"))
			m->cfg.subclass = (uint8_t)num(tok, v, 16);
		else if (!strcmp(tok, "mps"))
			m->cfg.mps = (uint16_t)num(tok, v, 10);
		else if (!strcmp(tok, "caps"))
			m->cfg.caps = (uint32_t)num(tok, v, 16);
		else if (!strcmp(tok, "nozlp"))
			m->cfg.no_zlp = true;
		else if (!strcmp(tok, "nosysfsstrings"))
			m->cfg.strings_only_in_descriptors = true;
		else if (!strcmp(tok, "sim"))
			m->sim = v;
		else if (!strcmp(tok, "tty-sim"))
			m->tty_sim = v;
		else if (!strcmp(tok, "greet"))
			m->greet_len = unhex(v, m->greet, sizeof(m->greet));
		else if (!strcmp(tok, "reply"))
			m->reply = v;
		else if (!strcmp(tok, "replug")) {
			unsigned rv, rp;

			if (sscanf(v, "%4x:%4x", &rv, &rp) != 2)
				die("replug=%s: expected VID:PID", v);
			m->replug_vid = (uint16_t)rv;
			m->replug_pid = (uint16_t)rp;
		} else if (!strcmp(tok, "replug-product"))
			strncpy(m->replug_product, v, sizeof(m->replug_product) - 1);
		else if (!strcmp(tok, "after"))
			m->after_ms = (int)num(tok, v, 10);
		else if (!strcmp(tok, "unplug-after"))
			m->unplug_after = num(tok, v, 10);
		else
			die("--dev: unknown key '%s'", tok);
	}
	if ((m->cfg.subclass || m->cfg.protocol) && !m->cfg.subclass)
		m->cfg.subclass = 0xff;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: umockdev-wrapper usbmock [--log FILE] --dev VID:PID[,key=value...]... -- CMD [ARG...]\n"
		"keys: port= bus= serial= product= manufacturer= driver= tty= iface= proto=HEX sub=HEX mps=\n"
		"      caps=HEX nozlp nosysfsstrings sim=unix:PATH tty-sim=unix:PATH after=MS unplug-after=BYTES\n"
		"      greet=HEX (sent once plugged in) reply=TEXT (answer to every OUT transfer, without sim=)\n"
		"      replug=VID:PID replug-product=TEXT (come back as this when the simulator re-enumerates)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char why[256];
	int i, status = 0;
	pid_t pid;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--dev") && i + 1 < argc) {
			if (ndevs == MAX_DEVS)
				die("at most %d devices", MAX_DEVS);
			parse_dev(argv[++i], &devs[ndevs++]);
		} else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			evlog = fopen(argv[++i], "a");
			if (!evlog)
				die("cannot open %s: %s", argv[i], strerror(errno));
		} else {
			usage();
		}
	}
	if (i + 1 >= argc)
		usage();
	signal(SIGPIPE, SIG_IGN);
	fu = fakeusb_new(why, sizeof(why));
	if (!fu) {
		fprintf(stderr, "SKIP: usbmock: %s\n", why);
		return 77;
	}
	for (int k = 0; k < ndevs; k++) {
		struct mockdev *m = &devs[k];

		if (pipe2(m->wake, O_NONBLOCK | O_CLOEXEC) < 0)
			die("pipe: %s", strerror(errno));
		if (m->after_ms) {
			pthread_create(&m->later, NULL, start_later, m);
			m->have_later = true;
		} else {
			start(m);
		}
	}
	if (posix_spawnp(&pid, argv[i + 1], NULL, NULL, argv + i + 1, environ) != 0)
		die("cannot run %s: %s", argv[i + 1], strerror(errno));
	for (int waited = 0;; waited++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (waited == CMD_TIMEOUT_S * 20) {
			fprintf(stderr, "usbmock: %s still running after %d s; killing it\n", argv[i + 1],
				CMD_TIMEOUT_S);
			kill(pid, SIGKILL);
		}
		sleep_ms(50);
	}
	stopping = 1;
	for (int k = 0; k < ndevs; k++) {
		struct mockdev *m = &devs[k];

		if (m->have_later)
			pthread_join(m->later, NULL); /* after this, start() is done or never runs */
		poke(m);
		if (m->have_thread)
			pthread_join(m->thread, NULL);
		if (m->have_tty_thread)
			pthread_join(m->tty_thread, NULL);
	}
	fakeusb_free(fu);
	for (int k = 0; k < ndevs; k++)
		free(devs[k].out);
	if (evlog)
		fclose(evlog);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
