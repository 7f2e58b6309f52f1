/* Keys, certificates and the CRL of a host's own CA, through OpenSSL's
   API: P-256 keys, X.509 v3 certificates (a CA; sandboxd's server
   certificate for its names and addresses; client certificates for the
   admin and for tenants), a v2 CRL. Keys are written mode 0600 from the
   first byte. */
#include "client.h"
#include "pki.h"
#include "settings.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
ssl_error (sb_error_t *err, const char *what)
{
  char buf[256];
  unsigned long e = ERR_get_error ();

  ERR_error_string_n (e, buf, sizeof (buf));
  ERR_clear_error ();
  return sb_error (err, 0, "%s: %s", what, e ? buf : "OpenSSL failed");
}

EVP_PKEY *
sbc_pki_new_key (sb_error_t *err)
{
  EVP_PKEY *k = EVP_EC_gen ("P-256");

  if (k == NULL)
    ssl_error (err, "make a key");
  return k;
}

/* "CN=acme,O=sandbox tenants" -> a name (commas and '+' escaped with '\'). */
X509_NAME *
sbc_pki_parse_subject (const char *subject, sb_error_t *err)
{
  X509_NAME *name = X509_NAME_new ();
  char buf[1024], val[1024];
  size_t i = 0, n;

  snprintf (buf, sizeof (buf), "%s", subject);
  n = strlen (buf);
  while (i < n)
    {
      size_t k = 0;
      char key[64];
      size_t kl = 0;
      while (i < n && buf[i] == ' ')
        i++;
      while (i < n && buf[i] != '=' && kl + 1 < sizeof (key))
        key[kl++] = buf[i++];
      key[kl] = '\0';
      while (kl > 0 && key[kl - 1] == ' ')
        key[--kl] = '\0';
      if (i >= n || buf[i] != '=' || kl == 0)
        {
          X509_NAME_free (name);
          sb_error (err, 0, "the subject %s is not KEY=VALUE,KEY=VALUE", subject);
          return NULL;
        }
      i++;
      while (i < n && buf[i] == ' ')
        i++;
      while (i < n && buf[i] != ',' && buf[i] != '+')
        {
          if (buf[i] == '\\' && i + 1 < n)
            i++;
          val[k++] = buf[i++];
        }
      while (k > 0 && val[k - 1] == ' ')
        k--;
      val[k] = '\0';
      if (i < n)
        i++;
      if (X509_NAME_add_entry_by_txt (name, key, MBSTRING_UTF8, (unsigned char *) val, -1, -1, 0) != 1)
        {
          X509_NAME_free (name);
          ssl_error (err, "the subject's attribute");
          sb_error_prefix (err, "%s", key);
          return NULL;
        }
    }
  return name;
}

static int
add_ext (X509 *cert, X509 *issuer, int nid, const char *value, sb_error_t *err)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;

  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  if (ext == NULL)
    return ssl_error (err, "a certificate extension");
  X509_add_ext (cert, ext, -1);
  X509_EXTENSION_free (ext);
  return 0;
}

X509 *
sbc_pki_issue (EVP_PKEY *key, const char *subject, X509 *ca, EVP_PKEY *ca_key, int days, enum sbc_cert_kind kind,
               const char *sans, char *serial_hex, size_t serial_len, sb_error_t *err)
{
  X509 *cert = X509_new ();
  X509_NAME *name = sbc_pki_parse_subject (subject, err);
  unsigned char rnd[16];
  BIGNUM *bn = NULL;
  ASN1_INTEGER *serial;
  char *hex;

  if (cert == NULL || name == NULL)
    goto fail;
  X509_set_version (cert, 2);
  if (RAND_bytes (rnd, sizeof (rnd)) != 1)
    {
      ssl_error (err, "random serial");
      goto fail;
    }
  rnd[0] &= 0x7f; /* positive */
  bn = BN_bin2bn (rnd, sizeof (rnd), NULL);
  serial = X509_get_serialNumber (cert);
  BN_to_ASN1_INTEGER (bn, serial);
  hex = BN_bn2hex (bn);
  snprintf (serial_hex, serial_len, "%s", hex ? hex : "");
  OPENSSL_free (hex);
  BN_free (bn);
  X509_gmtime_adj (X509_getm_notBefore (cert), -3600);
  X509_time_adj_ex (X509_getm_notAfter (cert), days, 0, NULL);
  X509_set_subject_name (cert, name);
  X509_set_issuer_name (cert, ca ? X509_get_subject_name (ca) : name);
  X509_set_pubkey (cert, key);
  if (add_ext (cert, ca, NID_subject_key_identifier, "hash", err) < 0)
    goto fail;
  if (kind == SBC_CERT_CA)
    {
      if (add_ext (cert, NULL, NID_basic_constraints, "critical,CA:TRUE,pathlen:0", err) < 0
          || add_ext (cert, NULL, NID_key_usage, "critical,keyCertSign,cRLSign", err) < 0)
        goto fail;
    }
  else
    {
      if (add_ext (cert, ca, NID_authority_key_identifier, "keyid:always", err) < 0
          || add_ext (cert, ca, NID_basic_constraints, "critical,CA:FALSE", err) < 0
          || add_ext (cert, ca, NID_key_usage, "critical,digitalSignature,keyAgreement", err) < 0
          || add_ext (cert, ca, NID_ext_key_usage, kind == SBC_CERT_SERVER ? "serverAuth" : "clientAuth", err) < 0)
        goto fail;
      if (sans && sans[0] && add_ext (cert, ca, NID_subject_alt_name, sans, err) < 0)
        goto fail;
    }
  if (X509_sign (cert, ca_key ? ca_key : key, EVP_sha256 ()) == 0)
    {
      ssl_error (err, "sign the certificate");
      goto fail;
    }
  X509_NAME_free (name);
  return cert;
fail:
  X509_NAME_free (name);
  X509_free (cert);
  return NULL;
}

/* ---- files -------------------------------------------------------------------------- */

static int
write_pem (const char *path, mode_t mode, int (*write) (BIO *, void *), void *obj, sb_error_t *err)
{
  BIO *mem = BIO_new (BIO_s_mem ());
  char *data, *text;
  long n;
  int ret;

  if (mem == NULL || write (mem, obj) != 1)
    {
      BIO_free (mem);
      return ssl_error (err, path);
    }
  n = BIO_get_mem_data (mem, &data);
  text = strndup (data, (size_t) n);
  BIO_free (mem);
  if (text == NULL)
    return sb_error (err, ENOMEM, "allocate");
  ret = sbc_write_file_atomic (path, text, mode, err);
  OPENSSL_cleanse (text, strlen (text));
  free (text);
  return ret;
}

static int
w_cert (BIO *b, void *o)
{
  return PEM_write_bio_X509 (b, o);
}

static int
w_key (BIO *b, void *o)
{
  return PEM_write_bio_PrivateKey (b, o, NULL, NULL, 0, NULL, NULL);
}

static int
w_crl (BIO *b, void *o)
{
  return PEM_write_bio_X509_CRL (b, o);
}

int
sbc_pki_write_cert (const char *path, X509 *cert, sb_error_t *err)
{
  return write_pem (path, 0644, w_cert, cert, err);
}

int
sbc_pki_write_key (const char *path, EVP_PKEY *key, sb_error_t *err)
{
  return write_pem (path, 0600, w_key, key, err);
}

X509 *
sbc_pki_read_cert (const char *path, sb_error_t *err)
{
  FILE *f = fopen (path, "re");
  X509 *c;

  if (f == NULL)
    {
      sb_error (err, errno, "the certificate %s", path);
      return NULL;
    }
  c = PEM_read_X509 (f, NULL, NULL, NULL);
  fclose (f);
  if (c == NULL)
    ssl_error (err, path);
  return c;
}

EVP_PKEY *
sbc_pki_read_key (const char *path, sb_error_t *err)
{
  FILE *f = fopen (path, "re");
  EVP_PKEY *k;

  if (f == NULL)
    {
      sb_error (err, errno, "the key %s", path);
      return NULL;
    }
  k = PEM_read_PrivateKey (f, NULL, NULL, NULL);
  fclose (f);
  if (k == NULL)
    ssl_error (err, path);
  return k;
}

void
sbc_pki_not_after (X509 *cert, char *out, size_t len)
{
  struct tm tm;

  if (ASN1_TIME_to_tm (X509_get0_notAfter (cert), &tm) == 1)
    strftime (out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
  else
    snprintf (out, len, "?");
}

int
sbc_pki_write_crl (const char *path, X509 *ca, EVP_PKEY *ca_key, json_t *issued, long number, sb_error_t *err)
{
  X509_CRL *crl = X509_CRL_new ();
  ASN1_TIME *t = ASN1_TIME_new ();
  ASN1_INTEGER *num = ASN1_INTEGER_new ();
  size_t i;
  json_t *v;
  int ret = -1;

  if (crl == NULL || t == NULL || num == NULL)
    {
      ssl_error (err, "make the CRL");
      goto out;
    }
  X509_CRL_set_version (crl, 1);
  X509_CRL_set_issuer_name (crl, X509_get_subject_name (ca));
  X509_gmtime_adj (t, 0);
  X509_CRL_set1_lastUpdate (crl, t);
  /* As long as the CA: an expired CRL would lock every client out. */
  X509_CRL_set1_nextUpdate (crl, X509_get0_notAfter (ca));
  json_array_foreach (issued, i, v)
    {
      X509_REVOKED *r;
      BIGNUM *bn = NULL;
      ASN1_TIME *when;
      if (!json_is_true (json_object_get (v, "revoked")))
        continue;
      r = X509_REVOKED_new ();
      if (BN_hex2bn (&bn, json_string_value (json_object_get (v, "serial")) ?: "0") == 0)
        {
          X509_REVOKED_free (r);
          continue;
        }
      X509_REVOKED_set_serialNumber (r, BN_to_ASN1_INTEGER (bn, NULL));
      BN_free (bn);
      when = ASN1_TIME_new ();
      if (ASN1_TIME_set_string_X509 (when, json_string_value (json_object_get (v, "revoked_at")) ?: "") != 1)
        X509_gmtime_adj (when, 0);
      X509_REVOKED_set_revocationDate (r, when);
      ASN1_TIME_free (when);
      X509_CRL_add0_revoked (crl, r);
    }
  ASN1_INTEGER_set (num, number);
  X509_CRL_add1_ext_i2d (crl, NID_crl_number, num, 0, 0);
  X509_CRL_sort (crl);
  if (X509_CRL_sign (crl, ca_key, EVP_sha256 ()) == 0)
    {
      ssl_error (err, "sign the CRL");
      goto out;
    }
  ret = write_pem (path, 0644, w_crl, crl, err);
out:
  X509_CRL_free (crl);
  ASN1_TIME_free (t);
  ASN1_INTEGER_free (num);
  return ret;
}

/* The subjectAltName value for names and addresses: "DNS:a,IP:127.0.0.1". */
void
sbc_pki_sans (const char *const *names, int n, char *out, size_t len)
{
  size_t o = 0;

  out[0] = '\0';
  for (int i = 0; i < n && o < len; i++)
    {
      unsigned char addr[16];
      bool ip = inet_pton (AF_INET, names[i], addr) == 1 || inet_pton (AF_INET6, names[i], addr) == 1;
      o += (size_t) snprintf (out + o, len - o, "%s%s:%s", o ? "," : "", ip ? "IP" : "DNS", names[i]);
    }
}
