/* The API's verbs: one table per family of verbs, one file each; the
   server knows nothing of them but this list. */
#include "sandboxd.h"

extern const struct sbd_route sbd_container_routes[];
extern const struct sbd_route sbd_stream_routes[];
extern const struct sbd_route sbd_event_routes[];
extern const struct sbd_route sbd_system_routes[];
extern const struct sbd_route sbd_image_routes[];
extern const struct sbd_route sbd_oci_routes[];

const struct sbd_route *const sbd_route_tables[] = {
  sbd_system_routes, sbd_container_routes, sbd_stream_routes, sbd_event_routes, sbd_image_routes, sbd_oci_routes,
  NULL,
};
