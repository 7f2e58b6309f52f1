/* libFuzzer target for what sandboxd sends on a stream (client/wire.c):
   the first input line decides how much of the rest is a head; the rest
   is fed to the frame decoder in pieces of every size. `make fuzz-sandboxctl`. */
#include "client.h"

#include <stdint.h>
#include <string.h>

static bool
count (int type, const char *data, size_t n, void *arg)
{
  size_t *total = arg;
  (void) data;
  *total += n;
  return type != 3;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct sbc_head h;
  struct sbc_frames f = { 0 };
  unsigned char keys[8];
  char spec[64];
  size_t total = 0, step, i;
  const char *end = memmem (data, size, "\r\n\r\n", 4);

  if (end)
    sbc_parse_head ((const char *) data, (size_t) (end - (const char *) data) + 4, &h);
  snprintf (spec, sizeof (spec), "%.*s", (int) (size < 63 ? size : 63), (const char *) data);
  sbc_parse_detach_keys (spec, keys);
  step = size ? (data[0] % 17) + 1 : 1;
  for (i = 0; i < size; i += step)
    if (!sbc_frames_feed (&f, (const char *) data + i, size - i < step ? size - i : step, count, &total))
      break;
  sbc_frames_free (&f);
  return 0;
}
