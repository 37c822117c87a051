/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "transport_impl.h"

static speed_t baud_to_speed(unsigned baud)
{
	switch (baud) {
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	case 1000000: return B1000000;
	case 2000000: return B2000000;
	case 3000000: return B3000000;
	case 4000000: return B4000000;
	default: return 0;
	}
}

/* USB serial ports ignore the baud rate, real UARTs do not; 115200 is what
 * Qualcomm DIAG/DLOAD UARTs default to. */
int qc_tty_open(qc_ctx *ctx, const char *path, unsigned baud, qc_transport **out)
{
	struct termios tio;
	speed_t speed = baud_to_speed(baud ? baud : 115200);
	int fd;

	if (!speed)
		return qc_fail(ctx, QC_E_INVAL, "unsupported baud rate %u for %s", baud, path);
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NODEV : QC_E_IO, "cannot open serial port %s: %s", path,
			       strerror(errno));
	if (tcgetattr(fd, &tio) < 0) {
		int e = errno;

		close(fd);
		return qc_fail(ctx, QC_E_IO, "%s is not a serial port: %s", path, strerror(e));
	}
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cflag &= ~(CSTOPB | CRTSCTS);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	cfsetispeed(&tio, speed);
	cfsetospeed(&tio, speed);
	/* TCSANOW, never TCSAFLUSH: a device that spoke first (a Sahara HELLO)
	 * must not have its bytes thrown away. */
	if (tcsetattr(fd, TCSANOW, &tio) < 0) {
		int e = errno;

		close(fd);
		return qc_fail(ctx, QC_E_IO, "cannot configure serial port %s: %s", path, strerror(e));
	}
	char name[300];

	snprintf(name, sizeof(name), "tty:%s", path);
	*out = qc_fd_transport_new(ctx, QC_TRANSPORT_TTY, fd, name);
	if (!*out) {
		close(fd);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	return 0;
}
