/* The administrator's directory (admin.c), shared by `admin init` and the
   tenant verbs:

     DIR/sandboxd.conf  DIR/defaults.conf  DIR/tenants/NAME.conf
     DIR/ca.pem  DIR/server.pem  DIR/server.key  DIR/crl.pem   (what sandboxd reads)
     DIR/ca/            mode 0700: ca.key (0600), issued.json (every
                        certificate issued: serial, subject, tenant, expiry,
                        revocation), store.json (the server's address for
                        bundles, the CRL's number)
     DIR/admin/         the admin's bundle: config, ca.pem, cert.pem, key.pem */
#ifndef SB_CLIENT_ADMIN_H
#define SB_CLIENT_ADMIN_H

#include "client.h"
#include "pki.h"

struct sbc_admin
{
  char dir[4096];
  char *tenants_dir, *policy_base, *crl, *ca_pem;   /* from sandboxd.conf */
  char *run_dir;
  X509 *ca;
  EVP_PKEY *ca_key;
  json_t *issued;            /* issued.json */
  json_t *store;             /* store.json */
};

const char *sbc_admin_default_dir (void);
/* Opens DIR (reads sandboxd.conf, the CA and its records). */
int sbc_admin_open (struct sbc_admin *a, const char *dir, sb_error_t *err);
void sbc_admin_close (struct sbc_admin *a);
int sbc_admin_save (struct sbc_admin *a, sb_error_t *err);
/* Issues a client certificate into cert_path/key_path and records it. */
int sbc_admin_issue_client (struct sbc_admin *a, const char *subject, const char *tenant, int days,
                            const char *cert_path, const char *key_path, char *serial, size_t serial_len,
                            sb_error_t *err);
/* Marks every certificate of tenant revoked and writes the CRL; returns
   how many were revoked now. */
int sbc_admin_revoke (struct sbc_admin *a, const char *tenant, sb_error_t *err);
/* Tells sandboxd to read the tenant policies and the CRL again. */
int sbc_admin_reload (struct sbc_admin *a, struct sbc *c, bool crl, sb_error_t *err);

#endif
