/* Talking to containers' monitors (daemon/monitor/): one short connection
   per request, one long one per running container for its events (its end
   tells us the container ended), and relayed streams for attach and exec.
   Everything is asynchronous on the daemon's loop. */
#include "sandboxd.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void sbd_container_monitor_gone (struct sbd_container *c);

/* A connected, non-blocking socket to the container's monitor, or -1. */
static int
connect_monitor (struct sbd_container *c)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int fd;

  sbd_container_socket (c, sun.sun_path, sizeof (sun.sun_path));
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  /* A local socket: connect is immediate (or refused). */
  if (connect (fd, (struct sockaddr *) &sun, sizeof (sun)) < 0)
    {
      close (fd);
      return -1;
    }
  evutil_make_socket_nonblocking (fd);
  return fd;
}

static int
send_line (struct bufferevent *bev, json_t *req)
{
  char *text = json_dumps (req, JSON_COMPACT);
  int ret;

  json_decref (req);
  if (text == NULL)
    return -1;
  ret = bufferevent_write (bev, text, strlen (text));
  if (ret == 0)
    ret = bufferevent_write (bev, "\n", 1);
  free (text);
  return ret;
}

/* ---- one request -------------------------------------------------------------- */

struct pending
{
  sbd_monitor_cb cb;
  void *arg;
};

static void
request_read (struct bufferevent *bev, void *arg)
{
  struct pending *p = arg;
  char *line = evbuffer_readln (bufferevent_get_input (bev), NULL, EVBUFFER_EOL_LF);
  json_t *answer;

  if (line == NULL)
    return;
  answer = json_loads (line, 0, NULL);
  free (line);
  p->cb (answer, p->arg);
  json_decref (answer);
  bufferevent_free (bev);
  free (p);
}

static void
request_event (struct bufferevent *bev, short what, void *arg)
{
  struct pending *p = arg;

  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
    {
      p->cb (NULL, p->arg);
      bufferevent_free (bev);
      free (p);
    }
}

int
sbd_monitor_request (struct sbd_container *c, json_t *req, sbd_monitor_cb cb, void *arg)
{
  struct timeval tv = { .tv_sec = 10 };
  struct pending *p;
  struct bufferevent *bev;
  int fd = connect_monitor (c);

  if (fd < 0)
    {
      json_decref (req);
      return -1;
    }
  p = calloc (1, sizeof (*p));
  bev = bufferevent_socket_new (sbd->base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (p == NULL || bev == NULL)
    {
      free (p);
      close (fd);
      json_decref (req);
      return -1;
    }
  p->cb = cb;
  p->arg = arg;
  bufferevent_setcb (bev, request_read, NULL, request_event, p);
  bufferevent_set_timeouts (bev, &tv, &tv);
  bufferevent_enable (bev, EV_READ | EV_WRITE);
  send_line (bev, req);
  return 0;
}

/* ---- the events of a running container ------------------------------------------------ */

static void
events_read (struct bufferevent *bev, void *arg)
{
  char *line;

  (void) arg;
  while ((line = evbuffer_readln (bufferevent_get_input (bev), NULL, EVBUFFER_EOL_LF)) != NULL)
    free (line); /* the ack; the exit event is followed by the end of the stream */
}

static void
events_event (struct bufferevent *bev, short what, void *arg)
{
  struct sbd_container *c = arg;

  (void) bev;
  if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
    sbd_container_monitor_gone (c);
}

int
sbd_monitor_watch (struct sbd_container *c)
{
  int fd = connect_monitor (c);

  if (fd < 0)
    return -1;
  if (c->events)
    bufferevent_free (c->events);
  c->events = bufferevent_socket_new (sbd->base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (c->events == NULL)
    {
      close (fd);
      return -1;
    }
  bufferevent_setcb (c->events, events_read, NULL, events_event, c);
  bufferevent_enable (c->events, EV_READ | EV_WRITE);
  return send_line (c->events, json_pack ("{s:s}", "op", "events"));
}

/* ---- relayed streams ---------------------------------------------------------------- */

#define RELAY_HIGH (1u << 20)

struct relay
{
  struct bufferevent *client, *mon;
  struct evhttp_connection *evcon;   /* the client's, freed at the end */
  bool answered;                     /* the monitor's answer line was read */
  bool client_gone, mon_gone;
  void (*on_done) (void *);
  void *arg;
};

static void
relay_finish (struct relay *r)
{
  if (r->mon)
    bufferevent_free (r->mon);
  r->mon = NULL;
  if (r->evcon)
    evhttp_connection_free (r->evcon); /* frees the client's bufferevent */
  r->evcon = NULL;
  if (r->on_done)
    r->on_done (r->arg);
  free (r);
}

/* The client has been given everything the monitor sent: end. */
static void
client_drained (struct bufferevent *bev, void *arg)
{
  struct relay *r = arg;

  (void) bev;
  if (r->mon_gone)
    relay_finish (r);
}

static void
move (struct bufferevent *from, struct bufferevent *to)
{
  evbuffer_add_buffer (bufferevent_get_output (to), bufferevent_get_input (from));
  /* The other side does not keep up: stop reading this one until it does. */
  if (evbuffer_get_length (bufferevent_get_output (to)) > RELAY_HIGH)
    bufferevent_disable (from, EV_READ);
}

static void
unblock (struct bufferevent *bev, void *arg)
{
  struct relay *r = arg;
  struct bufferevent *other = bev == r->client ? r->mon : r->client;

  if (other && evbuffer_get_length (bufferevent_get_output (bev)) < RELAY_HIGH / 2)
    bufferevent_enable (other, EV_READ);
}

static void
from_client (struct bufferevent *bev, void *arg)
{
  struct relay *r = arg;

  if (r->mon && r->answered)
    move (bev, r->mon);
}

static void
client_write (struct bufferevent *bev, void *arg)
{
  struct relay *r = arg;

  if (r->mon_gone && evbuffer_get_length (bufferevent_get_output (bev)) == 0)
    {
      client_drained (bev, arg);
      return;
    }
  unblock (bev, arg);
}

static void
from_monitor (struct bufferevent *bev, void *arg)
{
  struct relay *r = arg;

  if (!r->answered)
    {
      char *line = evbuffer_readln (bufferevent_get_input (bev), NULL, EVBUFFER_EOL_LF);
      json_t *a;
      if (line == NULL)
        return;
      a = json_loads (line, 0, NULL);
      free (line);
      r->answered = true;
      if (a == NULL || json_object_get (a, "error"))
        {
          /* Refused: the client gets one exit frame saying why. */
          char *text = json_dumps (a ? a : json_pack ("{s:s}", "error", "no answer"), JSON_COMPACT);
          size_t n = text ? strlen (text) : 0;
          unsigned char hdr[8] = { 3, 0, 0, 0, (unsigned char) (n >> 24), (unsigned char) (n >> 16),
                                   (unsigned char) (n >> 8), (unsigned char) n };
          bufferevent_write (r->client, hdr, 8);
          if (text)
            bufferevent_write (r->client, text, n);
          free (text);
          json_decref (a);
          r->mon_gone = true;
          bufferevent_free (r->mon);
          r->mon = NULL;
          return;
        }
      json_decref (a);
      /* What the client sent meanwhile goes now. */
      if (evbuffer_get_length (bufferevent_get_input (r->client)))
        move (r->client, r->mon);
    }
  move (bev, r->client);
}

static void
relay_event (struct bufferevent *bev, short what, void *arg)
{
  struct relay *r = arg;

  if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)))
    return;
  if (bev == r->client)
    {
      /* The client left: the monitor lets go of it (an exec goes on). */
      relay_finish (r);
      return;
    }
  /* The monitor's stream ended (after the exit frame): deliver, then end.
     An error may come from writing the client's input to a monitor that
     has closed (a command that exited without reading its stdin): what
     the monitor sent before closing, the exit frame among it, is still
     in the socket, and goes to the client too. */
  if ((what & BEV_EVENT_ERROR) && r->answered)
    {
      /* (A bufferevent's input buffer takes data from it alone: read
         into one of our own.) */
      evutil_socket_t fd = bufferevent_getfd (bev);
      struct evbuffer *rest = evbuffer_new ();
      while (rest && fd >= 0 && evbuffer_read (rest, fd, -1) > 0)
        ;
      evbuffer_add_buffer (bufferevent_get_output (r->client), bufferevent_get_input (bev));
      if (rest)
        {
          evbuffer_add_buffer (bufferevent_get_output (r->client), rest);
          evbuffer_free (rest);
        }
    }
  r->mon_gone = true;
  bufferevent_free (r->mon);
  r->mon = NULL;
  if (evbuffer_get_length (bufferevent_get_output (r->client)) == 0)
    relay_finish (r);
}

int
sbd_monitor_stream (struct sbd_container *c, json_t *req, struct evhttp_connection *evcon,
                    void (*on_done) (void *), void *arg, sb_error_t *err)
{
  struct bufferevent *client = evhttp_connection_get_bufferevent (evcon);
  struct relay *r;
  int fd = connect_monitor (c);

  if (fd < 0)
    {
      json_decref (req);
      return sb_error (err, EIO, "container %s: its monitor does not answer", c->name);
    }
  r = calloc (1, sizeof (*r));
  if (r == NULL)
    {
      close (fd);
      json_decref (req);
      return sb_error (err, ENOMEM, "allocate");
    }
  r->client = client;
  r->evcon = evcon;
  r->on_done = on_done;
  r->arg = arg;
  r->mon = bufferevent_socket_new (sbd->base, fd, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb (r->mon, from_monitor, unblock, relay_event, r);
  bufferevent_setcb (client, from_client, client_write, relay_event, r);
  bufferevent_enable (r->mon, EV_READ | EV_WRITE);
  bufferevent_enable (client, EV_READ | EV_WRITE);
  send_line (r->mon, req);
  return 0;
}
