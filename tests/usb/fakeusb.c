/* SPDX-License-Identifier: BSD-3-Clause */
/* Fake usbfs devices on umockdev (see fakeusb.h for the model). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h> /* before usbdevice_fs.h, which uses _IOR */

#include <linux/usbdevice_fs.h>
#include <umockdev.h>

#include "fakeusb.h"

struct fakeusb {
	UMockdevTestbed *tb;
	char *root;
	pthread_mutex_t lock; /* testbed calls */
	int next_port[8];
	int next_addr[8];
	GPtrArray *devs;
};

struct urb {
	UMockdevIoctlData *data; /* the URB struct, resolved; holds its buffer as a child */
	struct usbdevfs_urb *u;	 /* local copy inside data; u->buffer is local memory */
	UMockdevIoctlClient *client;
	size_t actual;
};

struct pkt {
	size_t len;
	uint8_t data[];
};

struct fakeusb_dev {
	struct fakeusb *fu;
	struct fakeusb_config cfg;
	char product[256], manufacturer[256], serial[256], driver_name[64], tty[64];
	char sys[256], node[64], iface_sys[320], tty_sys[400], bus_port[32];
	int addr;
	uint8_t ep_in, ep_out;
	UMockdevIoctlBase *handler;
	pthread_mutex_t lock;
	const struct fakeusb_ops *ops;
	void *user;
	GQueue pending_in, pending_out, done; /* struct urb */
	GQueue packets;			      /* struct pkt, the IN FIFO */
	bool gone, removed, driver_bound;
	unsigned out_in_flight;
	UMockdevIoctlClient *claimed_by;
	struct fakeusb_stats st;
};

void fakeusb_lock(struct fakeusb_dev *d)
{
	pthread_mutex_lock(&d->lock);
}
void fakeusb_unlock(struct fakeusb_dev *d)
{
	pthread_mutex_unlock(&d->lock);
}
const char *fakeusb_root(const struct fakeusb *fu)
{
	return fu->root;
}
const char *fakeusb_bus_port(const struct fakeusb_dev *d)
{
	return d->bus_port;
}

/* ----- descriptors ----- */

struct blob {
	uint8_t b[512];
	size_t n;
};

static void put(struct blob *bl, const uint8_t *p, size_t n)
{
	memcpy(bl->b + bl->n, p, n);
	bl->n += n;
}

static void put_ep(struct blob *bl, uint8_t addr, uint16_t mps)
{
	uint8_t ep[7] = {7, 5, addr, 2 /* bulk */, (uint8_t)mps, (uint8_t)(mps >> 8), 0};

	put(bl, ep, sizeof(ep));
}

/* Device descriptor, then the configuration: IFACE mass-storage
 * interfaces before the vendor one, so its number and endpoints are not
 * the first ones (hosts must read them from here). */
static void build_descriptors(struct fakeusb_dev *d, struct blob *bl)
{
	const struct fakeusb_config *c = &d->cfg;
	uint8_t dev[18] = {18,
			   1,
			   0x00,
			   0x02,
			   0,
			   0,
			   0,
			   64,
			   (uint8_t)c->vid,
			   (uint8_t)(c->vid >> 8),
			   (uint8_t)c->pid,
			   (uint8_t)(c->pid >> 8),
			   0x00,
			   0x01,
			   c->manufacturer ? 1 : 0,
			   c->product ? 2 : 0,
			   c->serial ? 3 : 0,
			   1};
	size_t cfg_at;
	uint8_t ep = 1;

	bl->n = 0;
	put(bl, dev, sizeof(dev));
	cfg_at = bl->n;
	uint8_t cfg[9] = {9, 2, 0, 0, (uint8_t)(c->iface + 1), 1, 0, 0x80, 250};

	put(bl, cfg, sizeof(cfg));
	for (int i = 0; i < c->iface; i++, ep++) {
		uint8_t itf[9] = {9, 4, (uint8_t)i, 0, 2, 0x08, 0x06, 0x50, 0};

		put(bl, itf, sizeof(itf));
		put_ep(bl, (uint8_t)(0x80 | ep), c->mps);
		put_ep(bl, ep, c->mps);
	}
	uint8_t itf[9] = {9, 4, (uint8_t)c->iface, 0, 2, 0xff, c->subclass, c->protocol, 0};

	put(bl, itf, sizeof(itf));
	/* Out of order and on different numbers, like real EDL devices. */
	d->ep_out = ep;
	d->ep_in = (uint8_t)(0x80 | (ep + 1));
	put_ep(bl, d->ep_out, c->mps);
	put_ep(bl, d->ep_in, c->mps);
	bl->b[cfg_at + 2] = (uint8_t)(bl->n - cfg_at);
	bl->b[cfg_at + 3] = (uint8_t)((bl->n - cfg_at) >> 8);
}

/* ----- URB bookkeeping (device lock held) ----- */

static void finish(struct fakeusb_dev *d, struct urb *r, int status)
{
	r->u->status = status;
	r->u->actual_length = (int)r->actual;
	g_queue_push_tail(&d->done, r);
}

static void fail_queue(struct fakeusb_dev *d, GQueue *q, int status)
{
	struct urb *r;

	while ((r = g_queue_pop_head(q)))
		finish(d, r, status);
}

static void free_urb(struct urb *r)
{
	g_object_unref(r->data);
	g_object_unref(r->client);
	free(r);
}

/* Moves IN packets into pending IN URBs the way a host controller does. */
static void service_in(struct fakeusb_dev *d)
{
	struct urb *r;

	while (!d->gone && (r = g_queue_peek_head(&d->pending_in))) {
		size_t room = (size_t)r->u->buffer_length;
		int status = 1; /* 1: still open */
		struct pkt *p;

		while (status == 1 && (p = g_queue_peek_head(&d->packets))) {
			if (p->len > room - r->actual) {
				if (r->actual == room) {
					status = 0;
					break;
				}
				/* Babble: the packet does not fit. */
				memcpy((uint8_t *)r->u->buffer + r->actual, p->data, room - r->actual);
				r->actual = room;
				free(g_queue_pop_head(&d->packets));
				d->st.overflows++;
				status = -EOVERFLOW;
				break;
			}
			memcpy((uint8_t *)r->u->buffer + r->actual, p->data, p->len);
			r->actual += p->len;
			d->st.in_bytes += p->len;
			if (!p->len)
				d->st.in_zlps++;
			g_queue_pop_head(&d->packets);
			if (p->len < d->cfg.mps)
				status = (r->u->flags & USBDEVFS_URB_SHORT_NOT_OK) && r->actual < room ? -EREMOTEIO : 0;
			else if (r->actual == room)
				status = 0;
			free(p);
		}
		if (status == 1 && r->actual == room)
			status = 0;
		if (status == 1)
			return; /* waits for more packets */
		g_queue_pop_head(&d->pending_in);
		finish(d, r, status);
		/* After a short packet the kernel cancels the rest of a
		 * BULK_CONTINUATION chain, so the next message cannot land in
		 * URBs meant for this one. */
		if (status == -EREMOTEIO) {
			while ((r = g_queue_peek_head(&d->pending_in)) &&
			       (r->u->flags & USBDEVFS_URB_BULK_CONTINUATION)) {
				g_queue_pop_head(&d->pending_in);
				finish(d, r, -ECONNRESET);
			}
		}
	}
}

static void service_out(struct fakeusb_dev *d)
{
	struct urb *r;

	while (!d->gone && (r = g_queue_peek_head(&d->pending_out))) {
		size_t len = (size_t)r->u->buffer_length;

		if (!d->ops || !d->ops->out) {
			/* A device without logic drains its OUT endpoint. */
		} else if (!d->ops->out(d, r->u->buffer, len, d->user)) {
			return;
		}
		if (d->gone)
			return;
		g_queue_pop_head(&d->pending_out);
		r->actual = len;
		d->st.out_bytes += len;
		d->st.out_transfers++;
		if (!len)
			d->st.out_zlps++;
		/* URB_ZERO_PACKET: the host controller appends the ZLP. */
		if (len && len % d->cfg.mps == 0 && (r->u->flags & USBDEVFS_URB_ZERO_PACKET)) {
			d->st.out_zlps++;
			if (d->ops && d->ops->out)
				d->ops->out(d, NULL, 0, d->user);
		}
		finish(d, r, 0);
	}
}

static void unplug_locked(struct fakeusb_dev *d)
{
	if (d->gone)
		return;
	d->gone = true;
	fail_queue(d, &d->pending_in, -ESHUTDOWN);
	fail_queue(d, &d->pending_out, -ESHUTDOWN);
}

/* ----- ioctl emulation (umockdev worker thread) ----- */

static void complete(UMockdevIoctlClient *c, long res, int err)
{
	umockdev_ioctl_client_complete(c, res, err);
}

static UMockdevIoctlData *resolve(UMockdevIoctlClient *c, gsize len)
{
	return umockdev_ioctl_data_resolve(umockdev_ioctl_client_get_arg(c), 0, len, NULL);
}

static void string_desc(struct fakeusb_dev *d, unsigned idx, uint8_t *out, size_t *n)
{
	const char *s = idx == 1 ? d->cfg.manufacturer : idx == 2 ? d->cfg.product : idx == 3 ? d->cfg.serial : NULL;

	if (idx == 0) { /* language IDs: en-US */
		out[0] = 4;
		out[1] = 3;
		out[2] = 0x09;
		out[3] = 0x04;
		*n = 4;
		return;
	}
	if (!s) {
		*n = 0;
		return;
	}
	size_t l = strlen(s);

	if (l > 126)
		l = 126;
	out[0] = (uint8_t)(2 + 2 * l);
	out[1] = 3;
	for (size_t i = 0; i < l; i++) {
		out[2 + 2 * i] = (uint8_t)s[i];
		out[3 + 2 * i] = 0;
	}
	*n = 2 + 2 * l;
}

/* Control transfers: GET_DESCRIPTOR(STRING) is all a host needs from us;
 * anything else stalls, as a minimal device would. */
static void control_urb(struct fakeusb_dev *d, struct urb *r)
{
	uint8_t *b = r->u->buffer, desc[256];
	size_t n = 0;
	unsigned wlen;

	if (r->u->buffer_length < 8) {
		finish(d, r, -EINVAL);
		return;
	}
	wlen = b[6] | b[7] << 8;
	if (b[0] == 0x80 && b[1] == 6 && b[3] == 3) {
		string_desc(d, b[2], desc, &n);
		if (n) {
			if (n > wlen)
				n = wlen;
			if (n > (size_t)r->u->buffer_length - 8)
				n = (size_t)r->u->buffer_length - 8;
			memcpy(b + 8, desc, n);
			r->actual = n;
			finish(d, r, 0);
			return;
		}
	}
	finish(d, r, -EPIPE);
}

static void submit(struct fakeusb_dev *d, UMockdevIoctlClient *c)
{
	UMockdevIoctlData *data = resolve(c, sizeof(struct usbdevfs_urb));
	struct usbdevfs_urb *u;
	struct urb *r;

	if (!data) {
		complete(c, -1, EFAULT);
		return;
	}
	u = (struct usbdevfs_urb *)data->data;
	if (u->buffer_length > 0) {
		/* Replaces u->buffer by a local copy, synced back on reap. */
		UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
								     (gsize)u->buffer_length, NULL);

		if (!buf) {
			g_object_unref(data);
			complete(c, -1, EFAULT);
			return;
		}
		g_object_unref(buf);
	} else if (u->buffer_length < 0) {
		g_object_unref(data);
		complete(c, -1, EINVAL);
		return;
	}
	r = calloc(1, sizeof(*r));
	r->data = data;
	r->u = u;
	r->client = g_object_ref(c);
	if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
		control_urb(d, r);
		complete(c, 0, 0);
		return;
	}
	if (u->type != USBDEVFS_URB_TYPE_BULK || (u->endpoint != d->ep_in && u->endpoint != d->ep_out)) {
		d->st.bad_endpoint++;
		free_urb(r);
		complete(c, -1, ENOENT);
		return;
	}
	if (u->endpoint == d->ep_in) {
		g_queue_push_tail(&d->pending_in, r);
		service_in(d);
	} else {
		g_queue_push_tail(&d->pending_out, r);
		if (++d->out_in_flight > d->st.max_out_in_flight)
			d->st.max_out_in_flight = d->out_in_flight;
		service_out(d);
	}
	complete(c, 0, 0);
}

static gint same_addr(gconstpointer a, gconstpointer b)
{
	const struct urb *r = a;

	return r->data->client_addr == *(const gulong *)b ? 0 : 1;
}

static bool discard_from(struct fakeusb_dev *d, GQueue *q, gulong addr)
{
	GList *l = g_queue_find_custom(q, &addr, same_addr);

	if (!l)
		return false;
	struct urb *r = l->data;

	g_queue_delete_link(q, l);
	finish(d, r, -ENOENT);
	return true;
}

static void reap(struct fakeusb_dev *d, UMockdevIoctlClient *c)
{
	for (GList *l = d->done.head; l; l = l->next) {
		struct urb *r = l->data;

		if (r->client != c)
			continue;
		g_queue_delete_link(&d->done, l);
		if (r->u->type == USBDEVFS_URB_TYPE_BULK && r->u->endpoint == d->ep_out)
			d->out_in_flight--;
		UMockdevIoctlData *ptr = resolve(c, sizeof(void *));

		if (!ptr) {
			complete(c, -1, EFAULT);
			free_urb(r);
			return;
		}
		umockdev_ioctl_data_set_ptr(ptr, 0, r->data);
		complete(c, 0, 0);
		g_object_unref(ptr);
		free_urb(r);
		return;
	}
	complete(c, -1, d->gone ? ENODEV : EAGAIN);
}

static void getdriver(struct fakeusb_dev *d, UMockdevIoctlClient *c)
{
	UMockdevIoctlData *data = resolve(c, sizeof(struct usbdevfs_getdriver));
	struct usbdevfs_getdriver *g;

	if (!data) {
		complete(c, -1, EFAULT);
		return;
	}
	g = (struct usbdevfs_getdriver *)data->data;

	if (g->interface == (unsigned)d->cfg.iface && d->driver_bound) {
		snprintf(g->driver, sizeof(g->driver), "%s", d->driver_name);
		complete(c, 0, 0);
	} else if (g->interface == (unsigned)d->cfg.iface && d->claimed_by) {
		snprintf(g->driver, sizeof(g->driver), "usbfs");
		complete(c, 0, 0);
	} else {
		complete(c, -1, ENODATA);
	}
	g_object_unref(data);
}

static void driver_ioctl(struct fakeusb_dev *d, UMockdevIoctlClient *c)
{
	UMockdevIoctlData *data = resolve(c, sizeof(struct usbdevfs_ioctl));
	struct usbdevfs_ioctl *io;

	if (!data) {
		complete(c, -1, EFAULT);
		return;
	}
	io = (struct usbdevfs_ioctl *)data->data;

	if (io->ifno != d->cfg.iface) {
		complete(c, -1, EINVAL);
	} else if ((unsigned long)io->ioctl_code == USBDEVFS_DISCONNECT) {
		if (d->driver_bound) {
			d->driver_bound = false;
			d->st.detaches++;
			complete(c, 0, 0);
		} else {
			complete(c, -1, ENODATA);
		}
	} else if ((unsigned long)io->ioctl_code == USBDEVFS_CONNECT) {
		if (d->cfg.driver && !d->claimed_by) {
			d->driver_bound = true;
			d->st.attaches++;
		}
		complete(c, 0, 0);
	} else {
		complete(c, -1, ENOTTY);
	}
	g_object_unref(data);
}

static void claim(struct fakeusb_dev *d, UMockdevIoctlClient *c, bool release)
{
	UMockdevIoctlData *data = resolve(c, sizeof(unsigned int));
	unsigned iface;

	if (!data) {
		complete(c, -1, EFAULT);
		return;
	}
	iface = *(unsigned int *)data->data;

	g_object_unref(data);
	if (iface != (unsigned)d->cfg.iface) {
		complete(c, release ? -1 : 0, release ? EINVAL : 0); /* the other interfaces are free for all */
		return;
	}
	if (release) {
		if (d->claimed_by != c) {
			complete(c, -1, EINVAL);
			return;
		}
		g_object_unref(d->claimed_by);
		d->claimed_by = NULL;
		complete(c, 0, 0);
		return;
	}
	if (d->driver_bound || (d->claimed_by && d->claimed_by != c)) {
		complete(c, -1, EBUSY);
		return;
	}
	if (!d->claimed_by)
		d->claimed_by = g_object_ref(c);
	d->st.claims++;
	complete(c, 0, 0);
}

static gboolean on_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer user)
{
	struct fakeusb_dev *d = user;
	gulong req = umockdev_ioctl_client_get_request(c);

	(void)h;
	fakeusb_lock(d);
	if (d->gone && req != USBDEVFS_REAPURBNDELAY && req != USBDEVFS_REAPURB) {
		complete(c, -1, ENODEV);
	} else if (req == USBDEVFS_GET_CAPABILITIES) {
		UMockdevIoctlData *data = resolve(c, sizeof(uint32_t));

		if (data) {
			*(uint32_t *)data->data = d->cfg.caps;
			g_object_unref(data);
		}
		complete(c, data ? 0 : -1, data ? 0 : EFAULT);
	} else if (req == USBDEVFS_SUBMITURB) {
		submit(d, c);
	} else if (req == USBDEVFS_REAPURBNDELAY || req == USBDEVFS_REAPURB) {
		reap(d, c);
	} else if (req == USBDEVFS_DISCARDURB) {
		gulong addr = *(gulong *)umockdev_ioctl_client_get_arg(c)->data;

		if (discard_from(d, &d->pending_in, addr) || discard_from(d, &d->pending_out, addr))
			complete(c, 0, 0);
		else
			complete(c, -1, EINVAL);
	} else if (req == USBDEVFS_CLAIMINTERFACE || req == USBDEVFS_RELEASEINTERFACE) {
		claim(d, c, req == USBDEVFS_RELEASEINTERFACE);
	} else if (req == USBDEVFS_GETDRIVER) {
		getdriver(d, c);
	} else if (req == USBDEVFS_IOCTL) {
		driver_ioctl(d, c);
	} else if (req == USBDEVFS_CLEAR_HALT || req == USBDEVFS_RESETEP || req == USBDEVFS_SETINTERFACE ||
		   req == USBDEVFS_RESET) {
		complete(c, 0, 0);
	} else {
		complete(c, -1, ENOTTY);
	}
	fakeusb_unlock(d);
	return TRUE;
}

static void drop_client_urbs(struct fakeusb_dev *d, GQueue *q, UMockdevIoctlClient *c)
{
	for (GList *l = q->head, *next; l; l = next) {
		struct urb *r = l->data;

		next = l->next;
		if (r->client == c) {
			if (r->u->type == USBDEVFS_URB_TYPE_BULK && r->u->endpoint == d->ep_out)
				d->out_in_flight--;
			g_queue_delete_link(q, l);
			free_urb(r);
		}
	}
}

/* A host process closed the node (or died): the kernel would kill its
 * URBs and release its interfaces. */
static void on_vanished(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer user)
{
	struct fakeusb_dev *d = user;

	(void)h;
	fakeusb_lock(d);
	drop_client_urbs(d, &d->pending_in, c);
	drop_client_urbs(d, &d->pending_out, c);
	drop_client_urbs(d, &d->done, c);
	if (d->claimed_by == c) {
		g_object_unref(d->claimed_by);
		d->claimed_by = NULL;
	}
	if (d->ops && d->ops->closed)
		d->ops->closed(d, d->user);
	fakeusb_unlock(d);
}

/* ----- testbed ----- */

struct fakeusb *fakeusb_new(char *why, size_t cap)
{
	struct fakeusb *fu = calloc(1, sizeof(*fu));

	fu->tb = umockdev_testbed_new();
	/* Only true once a testbed exists (it checks the redirected /sys). */
	if (!umockdev_in_mock_environment()) {
		snprintf(why, cap, "not running under umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)");
		g_object_unref(fu->tb);
		free(fu);
		return NULL;
	}
	fu->root = umockdev_testbed_get_root_dir(fu->tb);
	pthread_mutex_init(&fu->lock, NULL);
	fu->devs = g_ptr_array_new();
	return fu;
}

static void free_dev(struct fakeusb_dev *d)
{
	struct urb *r;

	while ((r = g_queue_pop_head(&d->pending_in)))
		free_urb(r);
	while ((r = g_queue_pop_head(&d->pending_out)))
		free_urb(r);
	while ((r = g_queue_pop_head(&d->done)))
		free_urb(r);
	g_queue_clear_full(&d->packets, free);
	if (d->claimed_by)
		g_object_unref(d->claimed_by);
	g_object_unref(d->handler);
	free(d);
}

void fakeusb_free(struct fakeusb *fu)
{
	if (!fu)
		return;
	for (guint i = 0; i < fu->devs->len; i++) {
		struct fakeusb_dev *d = g_ptr_array_index(fu->devs, i);

		umockdev_testbed_detach_ioctl(fu->tb, d->node, NULL);
	}
	g_object_unref(fu->tb);
	for (guint i = 0; i < fu->devs->len; i++)
		free_dev(g_ptr_array_index(fu->devs, i));
	g_ptr_array_free(fu->devs, TRUE);
	g_free(fu->root);
	free(fu);
}

static void add_attr(GString *s, const char *name, const char *value)
{
	g_string_append_printf(s, "A: %s=", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\\')
			g_string_append(s, "\\\\");
		else
			g_string_append_c(s, *p);
	}
	g_string_append(s, "\\n\n");
}

struct fakeusb_dev *fakeusb_add(struct fakeusb *fu, const struct fakeusb_config *cfg, const struct fakeusb_ops *ops,
				void *user)
{
	struct fakeusb_dev *d = calloc(1, sizeof(*d));
	pthread_mutexattr_t ma;
	struct blob bl;
	GString *s = g_string_new(NULL);
	char buf[64];
	bool ok;

	d->fu = fu;
	d->cfg = *cfg;
	d->ops = ops;
	d->user = user;
	if (!d->cfg.bus)
		d->cfg.bus = 1;
	if (!d->cfg.mps)
		d->cfg.mps = 512;
	if (!d->cfg.subclass && !d->cfg.protocol)
		d->cfg.subclass = d->cfg.protocol = 0xff;
	if (!d->cfg.caps)
		d->cfg.caps = FAKEUSB_CAPS_XHCI;
		/* Keep our own copies of the strings the caller passed. */
#define KEEP(f)                                                                                                        \
	if (cfg->f) {                                                                                                  \
		snprintf(d->f, sizeof(d->f), "%s", cfg->f);                                                            \
		d->cfg.f = d->f;                                                                                       \
	}
	KEEP(product)
	KEEP(manufacturer)
	KEEP(serial)
	KEEP(tty)
#undef KEEP
	if (cfg->driver) {
		snprintf(d->driver_name, sizeof(d->driver_name), "%s", cfg->driver);
		d->cfg.driver = d->driver_name;
		d->driver_bound = true;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&d->lock, &ma);
	pthread_mutexattr_destroy(&ma);

	pthread_mutex_lock(&fu->lock);
	int b = d->cfg.bus & 7;

	if (!d->cfg.port)
		d->cfg.port = fu->next_port[b] ? fu->next_port[b] : 2;
	fu->next_port[b] = d->cfg.port + 1;
	d->addr = fu->next_addr[b] ? fu->next_addr[b] : 2;
	fu->next_addr[b] = d->addr + 1;
	snprintf(d->bus_port, sizeof(d->bus_port), "%d-%d", d->cfg.bus, d->cfg.port);
	snprintf(d->sys, sizeof(d->sys), "/sys/devices/pci0000:00/0000:00:14.0/usb%d/%s", d->cfg.bus, d->bus_port);
	snprintf(d->node, sizeof(d->node), "/dev/bus/usb/%03d/%03d", d->cfg.bus, d->addr);
	build_descriptors(d, &bl);

	d->handler = umockdev_ioctl_base_new();
	g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(on_ioctl), d);
	g_signal_connect(d->handler, "client-vanished", G_CALLBACK(on_vanished), d);
	/* The handler must be in place before the device appears: a host
	 * woken by the "add" uevent may open it at once. */
	umockdev_testbed_attach_ioctl(fu->tb, d->node, d->handler, NULL);

	g_string_append_printf(s, "P: %s\nN: %s\n", d->sys + 4, d->node + 5);
	g_string_append_printf(s, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\nE: DEVNAME=%s\n", d->node);
	g_string_append_printf(s, "E: BUSNUM=%03d\nE: DEVNUM=%03d\nE: PRODUCT=%x/%x/100\n", d->cfg.bus, d->addr,
			       d->cfg.vid, d->cfg.pid);
	snprintf(buf, sizeof(buf), "%d", d->cfg.bus);
	add_attr(s, "busnum", buf);
	snprintf(buf, sizeof(buf), "%d", d->addr);
	add_attr(s, "devnum", buf);
	snprintf(buf, sizeof(buf), "%04x", d->cfg.vid);
	add_attr(s, "idVendor", buf);
	snprintf(buf, sizeof(buf), "%04x", d->cfg.pid);
	add_attr(s, "idProduct", buf);
	add_attr(s, "bConfigurationValue", "1");
	add_attr(s, "bNumConfigurations", "1");
	add_attr(s, "speed", d->cfg.mps >= 1024 ? "5000" : d->cfg.mps >= 512 ? "480" : "12");
	if (!d->cfg.strings_only_in_descriptors) {
		if (d->cfg.product)
			add_attr(s, "product", d->cfg.product);
		if (d->cfg.manufacturer)
			add_attr(s, "manufacturer", d->cfg.manufacturer);
		if (d->cfg.serial)
			add_attr(s, "serial", d->cfg.serial);
	}
	g_string_append(s, "H: descriptors=");
	for (size_t i = 0; i < bl.n; i++)
		g_string_append_printf(s, "%02x", bl.b[i]);
	g_string_append(s, "\n\n");

	/* The vendor interface, for drivers and serial ports. */
	snprintf(d->iface_sys, sizeof(d->iface_sys), "%s/%s:1.%d", d->sys, d->bus_port, d->cfg.iface);
	g_string_append_printf(s, "P: %s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\n", d->iface_sys + 4);
	snprintf(buf, sizeof(buf), "%02x", d->cfg.iface);
	add_attr(s, "bInterfaceNumber", buf);
	add_attr(s, "bInterfaceClass", "ff");
	snprintf(buf, sizeof(buf), "%02x", d->cfg.subclass);
	add_attr(s, "bInterfaceSubClass", buf);
	snprintf(buf, sizeof(buf), "%02x", d->cfg.protocol);
	add_attr(s, "bInterfaceProtocol", buf);
	add_attr(s, "bAlternateSetting", " 0");
	if (d->cfg.driver)
		g_string_append_printf(s, "L: driver=../../../../../../bus/usb-serial/drivers/%s\n", d->cfg.driver);
	g_string_append(s, "\n");
	if (d->cfg.tty) {
		snprintf(d->tty_sys, sizeof(d->tty_sys), "%s/%s/tty/%s", d->iface_sys, d->cfg.tty, d->cfg.tty);
		g_string_append_printf(s, "P: %s\nN: %s\nE: SUBSYSTEM=tty\nE: DEVNAME=/dev/%s\n\n", d->tty_sys + 4,
				       d->cfg.tty, d->cfg.tty);
	}
	ok = umockdev_testbed_add_from_string(fu->tb, s->str, NULL);
	pthread_mutex_unlock(&fu->lock);
	g_string_free(s, TRUE);
	if (!ok) {
		umockdev_testbed_detach_ioctl(fu->tb, d->node, NULL);
		g_object_unref(d->handler);
		free(d);
		return NULL;
	}
	pthread_mutex_lock(&fu->lock);
	g_ptr_array_add(fu->devs, d);
	pthread_mutex_unlock(&fu->lock);
	return d;
}

void fakeusb_set_ops(struct fakeusb_dev *d, const struct fakeusb_ops *ops, void *user)
{
	fakeusb_lock(d);
	d->ops = ops;
	d->user = user;
	fakeusb_unlock(d);
}

void fakeusb_send(struct fakeusb_dev *d, const void *data, size_t len, bool end)
{
	const uint8_t *p = data;
	size_t mps = d->cfg.mps;

	fakeusb_lock(d);
	if (!d->gone) {
		for (size_t off = 0; off < len; off += mps) {
			size_t n = len - off < mps ? len - off : mps;
			struct pkt *k = malloc(sizeof(*k) + n);

			k->len = n;
			memcpy(k->data, p + off, n);
			g_queue_push_tail(&d->packets, k);
		}
		if (end && (len == 0 || len % mps == 0) && !d->cfg.no_zlp)
			g_queue_push_tail(&d->packets, calloc(1, sizeof(struct pkt)));
		service_in(d);
	}
	fakeusb_unlock(d);
}

void fakeusb_kick(struct fakeusb_dev *d)
{
	fakeusb_lock(d);
	service_out(d);
	fakeusb_unlock(d);
}

void fakeusb_unplug(struct fakeusb_dev *d, bool remove)
{
	bool do_remove;

	fakeusb_lock(d);
	unplug_locked(d);
	do_remove = remove && !d->removed;
	if (do_remove)
		d->removed = true;
	fakeusb_unlock(d);
	if (do_remove) {
		pthread_mutex_lock(&d->fu->lock);
		/* Children first, as the kernel removes them. */
		if (d->cfg.tty) {
			umockdev_testbed_uevent(d->fu->tb, d->tty_sys, "remove");
			umockdev_testbed_remove_device(d->fu->tb, d->tty_sys);
		}
		umockdev_testbed_uevent(d->fu->tb, d->iface_sys, "remove");
		umockdev_testbed_remove_device(d->fu->tb, d->iface_sys);
		umockdev_testbed_uevent(d->fu->tb, d->sys, "remove");
		umockdev_testbed_remove_device(d->fu->tb, d->sys);
		pthread_mutex_unlock(&d->fu->lock);
	}
}

bool fakeusb_gone(struct fakeusb_dev *d)
{
	bool g;

	fakeusb_lock(d);
	g = d->gone;
	fakeusb_unlock(d);
	return g;
}

size_t fakeusb_in_queued(struct fakeusb_dev *d)
{
	size_t n = 0;

	fakeusb_lock(d);
	for (GList *l = d->packets.head; l; l = l->next)
		n += ((struct pkt *)l->data)->len;
	fakeusb_unlock(d);
	return n;
}

void fakeusb_stats(struct fakeusb_dev *d, struct fakeusb_stats *st)
{
	fakeusb_lock(d);
	*st = d->st;
	fakeusb_unlock(d);
}

const char *fakeusb_driver(struct fakeusb_dev *d)
{
	const char *r;

	fakeusb_lock(d);
	r = d->driver_bound ? d->driver_name : NULL;
	fakeusb_unlock(d);
	return r;
}

int fakeusb_tty_fd(struct fakeusb_dev *d)
{
	char node[80];

	if (!d->cfg.tty)
		return -1;
	snprintf(node, sizeof(node), "/dev/%s", d->cfg.tty);
	return umockdev_testbed_get_dev_fd(d->fu->tb, node);
}
