/* info, health, /metrics, and the tenants (administrators; a tenant may
   read its own). */
#include "config.h"
#include "sandboxd.h"
#include "cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
counts (const char *tenant)
{
  int n[4] = { 0 };

  for (struct sbd_container *c = sbd->containers; c; c = c->next)
    if (tenant == NULL || strcmp (c->tenant, tenant) == 0)
      n[c->state]++;
  return json_pack ("{s:i, s:i, s:i}", "created", n[SBD_CREATED], "running", n[SBD_RUNNING] + n[SBD_STARTING],
                    "exited", n[SBD_EXITED]);
}

static void
info (struct sbd_request *r)
{
  json_t *o = json_pack ("{s:s, s:s, s:s, s:o}", "version", PACKAGE_VERSION, "api", "v" SBD_VERSION,
                         "role", r->admin ? "admin" : "tenant", "containers",
                         counts (r->admin ? NULL : r->tenant->name));

  json_object_set_new (o, "subject", json_string (r->subject));
  if (!r->admin)
    {
      json_object_set_new (o, "tenant", json_string (r->tenant->name));
      json_object_set_new (o, "policy", sb_policy_to_json (r->tenant->policy));
    }
  sbd_reply_json (r, 200, o);
}

static void
health (struct sbd_request *r)
{
  sbd_reply_json (r, 200, json_pack ("{s:s}", "status", "ok"));
}

static void
metrics (struct sbd_request *r)
{
  char *text = sbd_metrics_text (sbd);
  struct evbuffer *buf = evbuffer_new ();

  evbuffer_add (buf, text, strlen (text));
  free (text);
  evhttp_add_header (evhttp_request_get_output_headers (r->req), "Content-Type", "text/plain; version=0.0.4");
  evhttp_send_reply (r->req, 200, "OK", buf);
  evbuffer_free (buf);
  sbd_metrics_request (r->verb, 200);
}

static json_t *
tenant_json (struct sbd_tenant *t, bool detail, bool admin)
{
  json_t *o = json_pack ("{s:s, s:b, s:o, s:{s:I, s:I}}", "name", t->name, "loaded", t->error == NULL,
                         "containers", counts (t->name), "ids", "first", (json_int_t) t->ids.host, "last",
                         (json_int_t) t->ids.host + t->ids.count - 1);

  /* Where its file is, and why it did not load, are the provider's. */
  if (admin)
    json_object_set_new (o, "file", json_string (t->file));
  if (admin && t->error)
    json_object_set_new (o, "error", json_string (t->error));
  if (detail && t->policy)
    json_object_set_new (o, "policy", sb_policy_to_json (t->policy));
  return o;
}

static void
tenants (struct sbd_request *r)
{
  json_t *a = json_array ();

  for (int i = 0; i < sbd->ntenants; i++)
    if (sbd->tenants[i].present && sbd->tenants[i].policy)
      json_array_append_new (a, tenant_json (&sbd->tenants[i], false, true));
  sbd_reply_json (r, 200, a);
}

static void
tenant (struct sbd_request *r)
{
  struct sbd_tenant *t = sbd_tenant_by_name (sbd, r->parts[2]);

  if (t == NULL || (!r->admin && t != r->tenant))
    {
      if (t)
        sbd_audit (r, r->parts[2], "denied-other-tenant");
      sbd_reply_error (r, 404, "not_found", "no such tenant: %s", r->parts[2]);
      return;
    }
  sbd_reply_json (r, 200, tenant_json (t, true, r->admin));
}

static void
reload (struct sbd_request *r)
{
  json_t *errors = json_object (), *answer;
  cleanup_error sb_error_t err = NULL;
  bool tls = true;

  /* What SIGHUP does: the tenants, and the TLS certificates and CRL (so
     that a revocation takes effect at once). */
  sbd_tenants_reload (sbd);
  if (sbd->ssl && sbd_tls_reload_crl (sbd, &err) < 0)
    tls = false;
  for (int i = 0; i < sbd->ntenants; i++)
    if (sbd->tenants[i].error)
      json_object_set_new (errors, sbd->tenants[i].file, json_string (sbd->tenants[i].error));
  answer = json_pack ("{s:o, s:b}", "errors", errors, "tls", tls);
  if (!tls)
    json_object_set_new (answer, "tls_error", json_string (err->msg));
  sbd_reply_json (r, json_object_size (errors) || !tls ? 422 : 200, answer);
}

const struct sbd_route sbd_system_routes[] = {
  { EVHTTP_REQ_GET, "/v1/info", info, 0, "info" },
  { EVHTTP_REQ_GET, "/v1/health", health, 0, "health" },
  { EVHTTP_REQ_GET, "/metrics", metrics, SBD_ADMIN_ONLY, "metrics" },
  { EVHTTP_REQ_GET, "/v1/tenants", tenants, SBD_ADMIN_ONLY, "tenant.list" },
  { EVHTTP_REQ_GET, "/v1/tenants/:name", tenant, 0, "tenant.inspect" },
  { EVHTTP_REQ_POST, "/v1/tenants/reload", reload, SBD_ADMIN_ONLY, "tenant.reload" },
  { 0, NULL, NULL, 0, NULL },
};
