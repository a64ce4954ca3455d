/* Names and sentences for the reasons a certificate chain fails. */
#include <mote/x509_verify.h>

static const char *const reason_str[MOTE_X509_REASON_COUNT_] = {
    [MOTE_X509_OK] = "certificate verified",
    [MOTE_X509_EXPIRED] = "certificate has expired",
    [MOTE_X509_NOT_YET_VALID] = "certificate is not yet valid",
    [MOTE_X509_NAME_MISMATCH] = "certificate is not valid for this name",
    [MOTE_X509_UNKNOWN_ISSUER] = "certificate issuer is unknown",
    [MOTE_X509_BAD_SIGNATURE] = "certificate signature does not verify",
    [MOTE_X509_NOT_CA] = "issuer certificate is not a CA",
    [MOTE_X509_PATH_LEN] = "path length constraint exceeded",
    [MOTE_X509_KEY_USAGE] = "key usage does not allow this use",
    [MOTE_X509_EKU] = "extended key usage does not allow this purpose",
    [MOTE_X509_NAME_CONSTRAINTS] = "name outside the issuer's constraints",
    [MOTE_X509_TOO_DEEP] = "certificate chain too long",
    [MOTE_X509_UNSUPPORTED_ALG] = "unsupported signature or key algorithm",
    [MOTE_X509_UNKNOWN_CRITICAL] = "unknown critical extension",
    [MOTE_X509_MALFORMED] = "malformed certificate",
    [MOTE_X509_PIN_MISMATCH] = "no public key of the chain is pinned",
    [MOTE_X509_WORK_LIMIT] = "too many candidate paths",
    [MOTE_X509_POLICY] = "no acceptable certificate policy",
};

static const char *const reason_name[MOTE_X509_REASON_COUNT_] = {
    [MOTE_X509_OK] = "ok",
    [MOTE_X509_EXPIRED] = "expired",
    [MOTE_X509_NOT_YET_VALID] = "not_yet_valid",
    [MOTE_X509_NAME_MISMATCH] = "name_mismatch",
    [MOTE_X509_UNKNOWN_ISSUER] = "unknown_issuer",
    [MOTE_X509_BAD_SIGNATURE] = "bad_signature",
    [MOTE_X509_NOT_CA] = "not_ca",
    [MOTE_X509_PATH_LEN] = "path_len",
    [MOTE_X509_KEY_USAGE] = "key_usage",
    [MOTE_X509_EKU] = "eku",
    [MOTE_X509_NAME_CONSTRAINTS] = "name_constraints",
    [MOTE_X509_TOO_DEEP] = "too_deep",
    [MOTE_X509_UNSUPPORTED_ALG] = "unsupported_alg",
    [MOTE_X509_UNKNOWN_CRITICAL] = "unknown_critical",
    [MOTE_X509_MALFORMED] = "malformed",
    [MOTE_X509_PIN_MISMATCH] = "pin_mismatch",
    [MOTE_X509_WORK_LIMIT] = "work_limit",
    [MOTE_X509_POLICY] = "policy",
};

const char *mote_x509_reason_str(enum mote_x509_reason r)
{
    if ((unsigned)r >= MOTE_X509_REASON_COUNT_)
        return "unknown verification failure";
    return reason_str[r];
}

const char *mote_x509_reason_name(enum mote_x509_reason r)
{
    if ((unsigned)r >= MOTE_X509_REASON_COUNT_)
        return "?";
    return reason_name[r];
}
