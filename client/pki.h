/* The admin verbs' certificate authority (pki.c, OpenSSL). */
#ifndef SB_CLIENT_PKI_H
#define SB_CLIENT_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include "client.h"

enum sbc_cert_kind
{
  SBC_CERT_CA,
  SBC_CERT_SERVER,
  SBC_CERT_CLIENT,
};

EVP_PKEY *sbc_pki_new_key (sb_error_t *err);
X509_NAME *sbc_pki_parse_subject (const char *subject, sb_error_t *err);
/* A certificate for key with this subject, signed by ca (self-signed when
   ca is NULL), valid for days; sans ("DNS:x,IP:y") for a server. The
   serial (random, 127 bits) is written in hex to serial_hex. */
X509 *sbc_pki_issue (EVP_PKEY *key, const char *subject, X509 *ca, EVP_PKEY *ca_key, int days,
                     enum sbc_cert_kind kind, const char *sans, char *serial_hex, size_t serial_len, sb_error_t *err);
int sbc_pki_write_cert (const char *path, X509 *cert, sb_error_t *err);
int sbc_pki_write_key (const char *path, EVP_PKEY *key, sb_error_t *err);   /* mode 0600 */
X509 *sbc_pki_read_cert (const char *path, sb_error_t *err);
EVP_PKEY *sbc_pki_read_key (const char *path, sb_error_t *err);
void sbc_pki_not_after (X509 *cert, char *out, size_t len);
/* The CRL of every entry of issued ([{"serial","revoked","revoked_at"}])
   that is revoked, valid as long as the CA. */
int sbc_pki_write_crl (const char *path, X509 *ca, EVP_PKEY *ca_key, json_t *issued, long number, sb_error_t *err);
void sbc_pki_sans (const char *const *names, int n, char *out, size_t len);

#endif
