/* What sandboxd sends on a stream, parsed without any I/O (and fuzzed:
   client/fuzz_wire.c): the head of the answer to an upgrade request, the
   frames; and the detach keys' notation. */
#include "client.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEAD_MAX 16384
#define FRAME_MAX (16u << 20)

/* ---- frames ------------------------------------------------------------------------ */

bool
sbc_frames_feed (struct sbc_frames *f, const char *data, size_t n, sbc_frame_cb cb, void *arg)
{
  size_t off = 0;

  if (f->len + n > f->cap)
    {
      size_t cap = f->cap ? f->cap : 65536;
      unsigned char *p;
      while (cap < f->len + n)
        cap *= 2;
      p = realloc (f->buf, cap);
      if (p == NULL)
        return false;
      f->buf = p;
      f->cap = cap;
    }
  memcpy (f->buf + f->len, data, n);
  f->len += n;
  while (f->len - off >= 8)
    {
      unsigned char *h = f->buf + off;
      size_t len = ((size_t) h[4] << 24) | ((size_t) h[5] << 16) | ((size_t) h[6] << 8) | h[7];
      if (h[1] || h[2] || h[3] || len > FRAME_MAX)
        return false;
      if (f->len - off < 8 + len)
        break;
      if (!cb (h[0], (const char *) h + 8, len, arg))
        {
          off += 8 + len;
          break;
        }
      off += 8 + len;
    }
  memmove (f->buf, f->buf + off, f->len - off);
  f->len -= off;
  return true;
}

void
sbc_frames_free (struct sbc_frames *f)
{
  free (f->buf);
  memset (f, 0, sizeof (*f));
}

/* ---- detach keys ------------------------------------------------------------------- */

int
sbc_parse_detach_keys (const char *spec, unsigned char *out)
{
  char buf[128], *save = NULL, *k;
  int n = 0;

  snprintf (buf, sizeof (buf), "%s", spec);
  for (k = strtok_r (buf, ",", &save); k; k = strtok_r (NULL, ",", &save))
    {
      if (n == 8)
        return -1;
      if (strncasecmp (k, "ctrl-", 5) == 0 && strlen (k) == 6)
        {
          char ch = k[5];
          if (ch >= 'a' && ch <= 'z')
            out[n++] = (unsigned char) (ch - 'a' + 1);
          else if (ch >= 'A' && ch <= 'Z')
            out[n++] = (unsigned char) (ch - 'A' + 1);
          else if (ch == '@')
            out[n++] = 0;
          else if (ch >= '[' && ch <= '_')
            out[n++] = (unsigned char) (ch - '[' + 27);
          else
            return -1;
        }
      else if (strlen (k) == 1)
        out[n++] = (unsigned char) k[0];
      else
        return -1;
    }
  return n > 0 ? n : -1;
}

/* The answer's head, strictly: "HTTP/1.x NNN reason", then "Name: value"
   lines, each ending in CRLF, up to an empty line; nothing else. */
int
sbc_parse_head (const char *text, size_t len, struct sbc_head *h)
{
  const char *p = text, *end = text + len, *eol;

  memset (h, 0, sizeof (*h));
  h->content_length = -1;
  if (len < 16 || len > HEAD_MAX || memcmp (end - 4, "\r\n\r\n", 4) != 0)
    {
      h->error = "no end of the head";
      return -1;
    }
  if ((memcmp (p, "HTTP/1.1 ", 9) != 0 && memcmp (p, "HTTP/1.0 ", 9) != 0) || p[9] < '1' || p[9] > '5'
      || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9' || p[12] != ' ')
    {
      h->error = "no status line";
      return -1;
    }
  h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
  eol = memmem (p, (size_t) (end - p), "\r\n", 2);
  for (p = eol + 2; p < end - 2; p = eol + 2)
    {
      const char *colon, *v;
      size_t nlen, vlen;
      eol = memmem (p, (size_t) (end - p), "\r\n", 2);
      colon = memchr (p, ':', (size_t) (eol - p));
      if (colon == NULL || colon == p || memchr (p, '\0', (size_t) (eol - p)) || memchr (p, ' ', (size_t) (colon - p)))
        {
          h->error = "a malformed header";
          return -1;
        }
      nlen = (size_t) (colon - p);
      for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
        ;
      vlen = (size_t) (eol - v);
      while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
      if (nlen == 14 && strncasecmp (p, "Content-Length", 14) == 0)
        {
          long n = 0;
          if (vlen == 0 || vlen > 9)
            {
              h->error = "a bad Content-Length";
              return -1;
            }
          for (size_t k = 0; k < vlen; k++)
            {
              if (v[k] < '0' || v[k] > '9')
                {
                  h->error = "a bad Content-Length";
                  return -1;
                }
              n = n * 10 + (v[k] - '0');
            }
          h->content_length = n;
        }
      else if (nlen == 7 && strncasecmp (p, "Upgrade", 7) == 0 && vlen == 14 && strncasecmp (v, "sandbox-stream", 14) == 0)
        h->upgraded = true;
    }
  return 0;
}

