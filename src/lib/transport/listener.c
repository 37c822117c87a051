/* SPDX-License-Identifier: BSD-3-Clause */
/* The device side of a link, for the simulated phone: unix and TCP
 * listeners, and a pseudo-terminal that looks like a USB serial port. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "transport_impl.h"

struct qc_listener {
	qc_ctx *ctx;
	enum qc_transport_kind kind;
	int fd; /* listening socket or pty master */
	char path[4096]; /* unix socket path or pty slave path */
	char link[4096]; /* pty: symlink we created */
	char name[300 + 4096];
};

/* The socket is bound under a temporary name and renamed into place once it
 * listens, so a client that sees the path never gets ECONNREFUSED. */
static int listen_unix(qc_listener *l, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char tmp[sizeof(sa.sun_path) + 32];

	if (strlen(path) + 16 >= sizeof(sa.sun_path))
		return qc_fail(l->ctx, QC_E_INVAL, "unix socket path too long: %s", path);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	strcpy(sa.sun_path, tmp);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return qc_fail(l->ctx, QC_E_IO, "socket: %s", strerror(errno));
	unlink(tmp);
	if (bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l->fd, 4) < 0 || rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return qc_fail(l->ctx, QC_E_IO, "cannot listen on unix:%s: %s", path, strerror(e));
	}
	snprintf(l->path, sizeof(l->path), "%s", path);
	snprintf(l->name, sizeof(l->name), "unix:%s", path);
	return 0;
}

/* tcp:PORT listens on loopback only; tcp:HOST:PORT binds where asked. */
static int listen_tcp(qc_listener *l, const char *arg)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
	struct addrinfo *res;
	char host[256] = "127.0.0.1";
	const char *port = arg, *colon = strrchr(arg, ':');
	int one = 1, rc;

	if (colon) {
		if ((size_t)(colon - arg) >= sizeof(host))
			return qc_fail(l->ctx, QC_E_INVAL, "host too long in tcp:%s", arg);
		memcpy(host, arg, (size_t)(colon - arg));
		host[colon - arg] = '\0';
		port = colon + 1;
	}
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc)
		return qc_fail(l->ctx, QC_E_INVAL, "cannot listen on tcp:%s: %s", arg, gai_strerror(rc));
	l->fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (l->fd >= 0) {
		setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		rc = bind(l->fd, res->ai_addr, res->ai_addrlen) < 0 || listen(l->fd, 4) < 0;
	}
	freeaddrinfo(res);
	if (l->fd < 0 || rc)
		return qc_fail(l->ctx, QC_E_IO, "cannot listen on tcp:%s: %s", arg, strerror(errno));
	snprintf(l->name, sizeof(l->name), "tcp:%s", arg);
	return 0;
}

static int listen_pty(qc_listener *l, const char *link)
{
	struct termios tio;
	int slave;

	l->fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (l->fd < 0 || grantpt(l->fd) < 0 || unlockpt(l->fd) < 0)
		return qc_fail(l->ctx, QC_E_IO, "cannot create a pseudo-terminal: %s", strerror(errno));
	if (ptsname_r(l->fd, l->path, sizeof(l->path)))
		return qc_fail(l->ctx, QC_E_IO, "ptsname: %s", strerror(errno));
	/* Raw mode on the slave now, so bytes are never echoed or translated
	 * even before the client configures the port.  Closing the slave again
	 * leaves the master reporting POLLHUP until a client opens it. */
	slave = open(l->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return qc_fail(l->ctx, QC_E_IO, "cannot open %s: %s", l->path, strerror(errno));
	if (tcgetattr(slave, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(slave, TCSANOW, &tio);
	}
	close(slave);
	fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) | O_NONBLOCK);
	if (link && *link) {
		unlink(link);
		if (symlink(l->path, link) < 0)
			return qc_fail(l->ctx, QC_E_IO, "cannot create link %s: %s", link, strerror(errno));
		snprintf(l->link, sizeof(l->link), "%s", link);
	}
	snprintf(l->name, sizeof(l->name), "pty:%s", l->path);
	return 0;
}

int qc_listener_open(qc_ctx *ctx, const char *spec, qc_listener **out)
{
	qc_listener *l = calloc(1, sizeof(*l));
	int rc;

	*out = NULL;
	if (!l)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	l->ctx = ctx;
	l->fd = -1;
	if (!strncmp(spec, "unix:", 5)) {
		l->kind = QC_TRANSPORT_UNIX;
		rc = listen_unix(l, spec + 5);
	} else if (!strncmp(spec, "tcp:", 4)) {
		l->kind = QC_TRANSPORT_TCP;
		rc = listen_tcp(l, spec + 4);
	} else if (!strcmp(spec, "pty") || !strncmp(spec, "pty:", 4)) {
		l->kind = QC_TRANSPORT_PTY;
		rc = listen_pty(l, spec[3] ? spec + 4 : NULL);
	} else {
		rc = qc_fail(ctx, QC_E_INVAL, "unknown listen spec '%s' (expected unix:PATH, tcp:PORT or pty[:LINK])",
			     spec);
	}
	if (rc < 0) {
		qc_listener_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

const char *qc_listener_path(const qc_listener *l) { return l->path; }

static int elapsed_ms(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int)((now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000);
}

/* A pty has no accept(): the master reports POLLHUP while no process has
 * the slave open, so a client has arrived once that clears. */
static int accept_pty(qc_listener *l, qc_transport **out, int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = {.fd = l->fd, .events = POLLIN};

		if (poll(&pfd, 1, 0) < 0 && errno != EINTR)
			return qc_fail(l->ctx, QC_E_IO, "poll on pty: %s", strerror(errno));
		if (!(pfd.revents & POLLHUP))
			break;
		if (timeout_ms >= 0 && elapsed_ms(&t0) >= timeout_ms)
			return qc_fail(l->ctx, QC_E_TIMEOUT, "no client opened %s", l->path);
		usleep(2000);
	}
	int fd = fcntl(l->fd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return qc_fail(l->ctx, QC_E_IO, "dup: %s", strerror(errno));
	*out = qc_fd_transport_new(l->ctx, QC_TRANSPORT_PTY, fd, l->name);
	if (!*out) {
		close(fd);
		return qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
	}
	return 0;
}

int qc_listener_accept(qc_listener *l, qc_transport **out, int timeout_ms)
{
	struct pollfd pfd = {.fd = l->fd, .events = POLLIN};
	int fd, rc;

	*out = NULL;
	if (l->kind == QC_TRANSPORT_PTY)
		return accept_pty(l, out, timeout_ms);
	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return qc_fail(l->ctx, QC_E_TIMEOUT, "no client connected to %s", l->name);
	fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return qc_fail(l->ctx, QC_E_IO, "accept on %s: %s", l->name, strerror(errno));
	if (l->kind == QC_TRANSPORT_TCP) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	qc_socket_tune(fd);
	*out = qc_fd_transport_new(l->ctx, l->kind, fd, l->name);
	if (!*out) {
		close(fd);
		return qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
	}
	return 0;
}

void qc_listener_close(qc_listener *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	if (l->kind == QC_TRANSPORT_UNIX && l->path[0])
		unlink(l->path);
	if (l->link[0])
		unlink(l->link);
	free(l);
}
