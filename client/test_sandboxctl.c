/* Unit tests of sandboxctl's parts that need no daemon: templates, the
   frame decoder, detach keys, sizes and commands as printed, the
   configuration file, and the certificate authority. */
#include "client.h"
#include "pki.h"
#include "settings.h"

#include <check.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *
expand (const char *tmpl, const char *json)
{
  json_t *o = json_loads (json, 0, NULL);
  sb_error_t err = NULL;
  char *out = sbc_template (tmpl, o, &err);

  json_decref (o);
  if (out == NULL)
    {
      out = strdup (err->msg);
      sb_error_free (&err);
      return NULL;
    }
  return out;
}

START_TEST (template_fields)
{
  char *s = expand ("{{.Names}}\\t{{.State}}", "{\"Names\":\"web\",\"State\":\"running\"}");
  ck_assert_str_eq (s, "web\trunning");
  free (s);
  s = expand ("{{.exitCode}} {{ .ExitCode }}", "{\"exit_code\":3}");
  ck_assert_str_eq (s, "3 3");
  free (s);
  s = expand ("{{.Config.Hostname}}/{{.config.limits.memory}}",
              "{\"config\":{\"hostname\":\"box\",\"limits\":{\"memory\":64}}}");
  ck_assert_str_eq (s, "box/64");
  free (s);
  s = expand ("{{json .Labels}} {{.Labels}} {{.Cmd}}", "{\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"cmd\":[\"sh\",\"-c\"]}");
  ck_assert_str_eq (s, "{\"a\":\"1\",\"b\":\"2\"} a=1,b=2 sh -c");
  free (s);
  s = expand ("{{.Nope}}|{{json .Nope}}", "{}");
  ck_assert_str_eq (s, "<no value>|null");
  free (s);
  s = expand ("{{json .}}", "{\"a\":1}");
  ck_assert_str_eq (s, "{\"a\":1}");
  free (s);
}
END_TEST

START_TEST (template_errors)
{
  ck_assert_ptr_null (expand ("{{.Names", "{}"));
  ck_assert_ptr_null (expand ("{{Names}}", "{}"));
  ck_assert_ptr_null (expand ("{{}}", "{}"));
}
END_TEST

struct seen
{
  int n;
  int types[8];
  char data[8][64];
};

static bool
record (int type, const char *data, size_t n, void *arg)
{
  struct seen *s = arg;
  if (s->n < 8)
    {
      s->types[s->n] = type;
      snprintf (s->data[s->n], sizeof (s->data[0]), "%.*s", (int) n, data);
      s->n++;
    }
  return type != 3;
}

START_TEST (frames_split_anywhere)
{
  static const char wire[] = "\1\0\0\0\0\0\0\5hello" "\2\0\0\0\0\0\0\0" "\3\0\0\0\0\0\0\2{}" "\1\0\0\0\0\0\0\1x";
  struct sbc_frames f = { 0 };
  struct seen s = { 0 };

  /* The reader stops at the end frame (its callback says so). */
  for (size_t i = 0; i < sizeof (wire) - 1 && !(s.n && s.types[s.n - 1] == 3); i++)
    ck_assert (sbc_frames_feed (&f, wire + i, 1, record, &s));
  ck_assert_int_eq (s.n, 3);
  ck_assert_int_eq (s.types[0], 1);
  ck_assert_str_eq (s.data[0], "hello");
  ck_assert_int_eq (s.types[1], 2);
  ck_assert_str_eq (s.data[1], "");
  ck_assert_int_eq (s.types[2], 3);
  ck_assert_str_eq (s.data[2], "{}");
  sbc_frames_free (&f);
}
END_TEST

START_TEST (frames_malformed)
{
  struct sbc_frames f = { 0 };
  struct seen s = { 0 };

  ck_assert (!sbc_frames_feed (&f, "\1\1\0\0\0\0\0\1x", 9, record, &s));
  sbc_frames_free (&f);
  ck_assert (!sbc_frames_feed (&f, "\1\0\0\0\x7f\0\0\0", 8, record, &s));
  sbc_frames_free (&f);
  ck_assert_int_eq (s.n, 0);
}
END_TEST

START_TEST (stream_heads)
{
  struct sbc_head h;
  static const char ok[] = "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nupgrade:  sandbox-stream \r\n\r\n";
  static const char refused[] = "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 42\r\n\r\n";
  static const char *const bad[] = {
    "HTTP/1.1 101\r\n\r\n", "HTTP/2 101 X\r\n\r\n", "HTTP/1.1 10a X\r\nA: b\r\n\r\n",
    "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
    "HTTP/1.1 200 OK\r\nA: b\r\n",
  };

  ck_assert_int_eq (sbc_parse_head (ok, sizeof (ok) - 1, &h), 0);
  ck_assert_int_eq (h.status, 101);
  ck_assert (h.upgraded);
  ck_assert_int_eq (h.content_length, -1);
  ck_assert_int_eq (sbc_parse_head (refused, sizeof (refused) - 1, &h), 0);
  ck_assert_int_eq (h.status, 409);
  ck_assert (!h.upgraded);
  ck_assert_int_eq (h.content_length, 42);
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    ck_assert_msg (sbc_parse_head (bad[i], strlen (bad[i]), &h) < 0, "accepted %s", bad[i]);
}
END_TEST

START_TEST (detach_keys)
{
  unsigned char k[8];

  ck_assert_int_eq (sbc_parse_detach_keys ("ctrl-p,ctrl-q", k), 2);
  ck_assert_int_eq (k[0], 16);
  ck_assert_int_eq (k[1], 17);
  ck_assert_int_eq (sbc_parse_detach_keys ("ctrl-X", k), 1);
  ck_assert_int_eq (k[0], 24);
  ck_assert_int_eq (sbc_parse_detach_keys ("ctrl-@,a,ctrl-_", k), 3);
  ck_assert_int_eq (k[0], 0);
  ck_assert_int_eq (k[1], 'a');
  ck_assert_int_eq (k[2], 31);
  ck_assert_int_eq (sbc_parse_detach_keys ("ctrl-1", k), -1);
  ck_assert_int_eq (sbc_parse_detach_keys ("", k), -1);
  ck_assert_int_eq (sbc_parse_detach_keys ("ab", k), -1);
  ck_assert_int_eq (sbc_parse_detach_keys ("a,a,a,a,a,a,a,a,a", k), -1);
}
END_TEST

START_TEST (sizes_and_commands)
{
  char b[32];
  json_t *cmd = json_pack ("[s,s,s,s]", "sh", "-c", "echo $X; ls", "plain");
  char *s;

  sbc_size (512, b, sizeof (b));
  ck_assert_str_eq (b, "512B");
  sbc_size (256u << 20, b, sizeof (b));
  ck_assert_str_eq (b, "256MiB");
  sbc_size (3355443, b, sizeof (b));
  ck_assert_str_eq (b, "3.2MiB");
  s = sbc_command_string (cmd);
  ck_assert_str_eq (s, "sh -c \"echo $X; ls\" plain");
  free (s);
  json_decref (cmd);
  ck_assert (sbc_parse_time ("2026-01-02T03:04:05.123456789Z") == 1767323045);
}
END_TEST

static char tmpdir[] = "/tmp/sbctl-unit.XXXXXX";

START_TEST (config_round_trip)
{
  struct sbc_context ctx = { .name = "acme", .server = "https://h.example:7443", .ca = "ca.pem", .cert = "c.pem",
                             .key = "/abs/k.pem" };
  struct sbc_context other = { .name = "two", .server = "unix:///run/x.sock" };
  struct sbc_config_file f;
  sb_error_t err = NULL;
  char path[256];

  snprintf (path, sizeof (path), "%s/sub/config", tmpdir);
  ck_assert_int_eq (sbc_config_write (path, &ctx, &err), 0);
  ck_assert_int_eq (access (path, R_OK), 0);
  ck_assert_int_eq (sbc_config_file_load (&f, path, &err), 0);
  ck_assert_int_eq (f.n, 1);
  ck_assert_str_eq (f.current, "acme");
  ck_assert_str_eq (f.ctx[0].server, "https://h.example:7443");
  ck_assert (strncmp (f.ctx[0].ca, tmpdir, strlen (tmpdir)) == 0 && strstr (f.ctx[0].ca, "/sub/ca.pem"));
  ck_assert_str_eq (f.ctx[0].key, "/abs/k.pem");
  sbc_config_file_free (&f);
  ck_assert_int_eq (sbc_config_update (path, "two", &other, &err), 0);
  ck_assert_int_eq (sbc_config_file_load (&f, path, &err), 0);
  ck_assert_int_eq (f.n, 2);
  ck_assert_str_eq (f.current, "two");
  sbc_config_file_free (&f);
}
END_TEST

START_TEST (config_errors)
{
  struct sbc_config_file f;
  sb_error_t err = NULL;
  char path[256], want[300];
  FILE *o;

  snprintf (path, sizeof (path), "%s/bad", tmpdir);
  o = fopen (path, "w");
  fputs ("context a {\n  server = \"https://x:1\"\n}\ncurrent-context = \"b\"\n", o);
  fclose (o);
  ck_assert_int_lt (sbc_config_file_load (&f, path, &err), 0);
  ck_assert_ptr_nonnull (strstr (err->msg, "current-context"));
  sb_error_free (&err);
  o = fopen (path, "w");
  fputs ("# c\ncontext a {\n  server = \"http://x:1\"\n}\n", o);
  fclose (o);
  ck_assert_int_lt (sbc_config_file_load (&f, path, &err), 0);
  snprintf (want, sizeof (want), "%s:3:", path);
  ck_assert_msg (strstr (err->msg, want) != NULL, "%s", err->msg);
  sb_error_free (&err);
  o = fopen (path, "w");
  fputs ("context a {\n  sever = \"https://x:1\"\n}\n", o);
  fclose (o);
  ck_assert_int_lt (sbc_config_file_load (&f, path, &err), 0);
  snprintf (want, sizeof (want), "%s:2:", path);
  ck_assert_msg (strstr (err->msg, want) != NULL && strstr (err->msg, "sever"), "%s", err->msg);
  sb_error_free (&err);
}
END_TEST

START_TEST (pki_chain_and_crl)
{
  sb_error_t err = NULL;
  char serial[80], cserial[80], path[256];
  EVP_PKEY *ca_key = sbc_pki_new_key (&err), *key = sbc_pki_new_key (&err);
  X509 *ca = sbc_pki_issue (ca_key, "CN=Test CA,O=t", NULL, NULL, 10, SBC_CERT_CA, NULL, serial, sizeof (serial), &err);
  X509 *leaf = sbc_pki_issue (key, "CN=acme,O=sandbox tenants", ca, ca_key, 5, SBC_CERT_CLIENT, NULL, cserial,
                              sizeof (cserial), &err);
  X509_STORE *store = X509_STORE_new ();
  X509_STORE_CTX *ctx = X509_STORE_CTX_new ();
  X509_NAME *n;
  json_t *issued;
  X509_CRL *crl;
  FILE *f;
  char buf[256];

  ck_assert_ptr_nonnull (ca);
  ck_assert_ptr_nonnull (leaf);
  X509_STORE_add_cert (store, ca);
  X509_STORE_CTX_init (ctx, store, leaf, NULL);
  ck_assert_int_eq (X509_verify_cert (ctx), 1);
  X509_STORE_CTX_free (ctx);
  X509_NAME_oneline (X509_get_subject_name (leaf), buf, sizeof (buf));
  ck_assert_str_eq (buf, "/CN=acme/O=sandbox tenants");
  n = sbc_pki_parse_subject ("CN=a\\,b, O = x", &err);
  ck_assert_ptr_nonnull (n);
  X509_NAME_oneline (n, buf, sizeof (buf));
  ck_assert_str_eq (buf, "/CN=a,b/O=x");
  X509_NAME_free (n);
  ck_assert_ptr_null (sbc_pki_parse_subject ("nonsense", &err));
  sb_error_free (&err);
  snprintf (path, sizeof (path), "%s/key.pem", tmpdir);
  ck_assert_int_eq (sbc_pki_write_key (path, key, &err), 0);
  {
    struct stat st;
    ck_assert_int_eq (stat (path, &st), 0);
    ck_assert_int_eq (st.st_mode & 0777, 0600);
  }
  issued = json_pack ("[{s:s, s:b}, {s:s, s:b, s:s}]", "serial", serial, "revoked", 0, "serial", cserial, "revoked", 1,
                      "revoked_at", "20260101000000Z");
  snprintf (path, sizeof (path), "%s/crl.pem", tmpdir);
  ck_assert_int_eq (sbc_pki_write_crl (path, ca, ca_key, issued, 7, &err), 0);
  f = fopen (path, "r");
  crl = PEM_read_X509_CRL (f, NULL, NULL, NULL);
  fclose (f);
  ck_assert_ptr_nonnull (crl);
  ck_assert_int_eq (X509_CRL_verify (crl, ca_key), 1);
  ck_assert_int_eq (sk_X509_REVOKED_num (X509_CRL_get_REVOKED (crl)), 1);
  {
    X509_REVOKED *rev = NULL;
    ck_assert_int_eq (X509_CRL_get0_by_cert (crl, &rev, leaf), 1);
  }
  X509_CRL_free (crl);
  json_decref (issued);
  X509_STORE_free (store);
  X509_free (ca);
  X509_free (leaf);
  EVP_PKEY_free (ca_key);
  EVP_PKEY_free (key);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("sandboxctl");
  TCase *t = tcase_create ("parts");
  SRunner *r;
  int failed;

  if (mkdtemp (tmpdir) == NULL)
    return 1;
  tcase_add_test (t, template_fields);
  tcase_add_test (t, template_errors);
  tcase_add_test (t, frames_split_anywhere);
  tcase_add_test (t, frames_malformed);
  tcase_add_test (t, stream_heads);
  tcase_add_test (t, detach_keys);
  tcase_add_test (t, sizes_and_commands);
  tcase_add_test (t, config_round_trip);
  tcase_add_test (t, config_errors);
  tcase_add_test (t, pki_chain_and_crl);
  suite_add_tcase (s, t);
  r = srunner_create (s);
  srunner_set_fork_status (r, CK_NOFORK);
  srunner_run_all (r, CK_NORMAL);
  failed = srunner_ntests_failed (r);
  srunner_free (r);
  {
    char cmd[300];
    snprintf (cmd, sizeof (cmd), "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      return 1;
  }
  return failed ? 1 : 0;
}
