/* The extension OID table: known extension ids and their OIDs. */
#include <mote/x509.h>

#include "x509_int.h"

static const struct x509__ext_def ext_defs[] = {
    {MOTE_X509_EXT_BASIC_CONSTRAINTS, X509_OID(OID_EXT_BC)},
    {MOTE_X509_EXT_KEY_USAGE, X509_OID(OID_EXT_KU)},
    {MOTE_X509_EXT_EXT_KEY_USAGE, X509_OID(OID_EXT_EKU)},
    {MOTE_X509_EXT_SUBJECT_ALT_NAME, X509_OID(OID_EXT_SAN)},
    {MOTE_X509_EXT_NAME_CONSTRAINTS, X509_OID(OID_EXT_NC)},
    {MOTE_X509_EXT_AUTHORITY_KEY_ID, X509_OID(OID_EXT_AKI)},
    {MOTE_X509_EXT_SUBJECT_KEY_ID, X509_OID(OID_EXT_SKI)},
    {MOTE_X509_EXT_CERT_POLICIES, X509_OID(OID_EXT_POLICIES)},
    {MOTE_X509_EXT_CRL_DIST_POINTS, X509_OID(OID_EXT_CRLDP)},
    {MOTE_X509_EXT_AUTHORITY_INFO, X509_OID(OID_EXT_AIA)},
    {MOTE_X509_EXT_POLICY_MAPPINGS, X509_OID(OID_EXT_POLICY_MAPPINGS)},
    {MOTE_X509_EXT_POLICY_CONSTRAINTS, X509_OID(OID_EXT_POLICY_CONSTRAINTS)},
    {MOTE_X509_EXT_INHIBIT_ANY_POLICY, X509_OID(OID_EXT_INHIBIT_ANY)},
    {MOTE_X509_EXT_ISSUER_ALT_NAME, X509_OID(OID_EXT_IAN)},
    {MOTE_X509_EXT_SUBJECT_INFO, X509_OID(OID_EXT_SIA)},
    {MOTE_X509_EXT_SCT_LIST, X509_OID(OID_EXT_SCT)},
};

const struct x509__ext_def *x509__ext_by_oid(const struct mote_der_elem *oid)
{
    for (size_t i = 0; i < sizeof ext_defs / sizeof ext_defs[0]; i++)
        if (mote_der_oid_eq(oid, ext_defs[i].oid, ext_defs[i].oid_len))
            return &ext_defs[i];
    return NULL;
}

const struct x509__ext_def *x509__ext_by_id(enum mote_x509_ext_id id)
{
    for (size_t i = 0; i < sizeof ext_defs / sizeof ext_defs[0]; i++)
        if (ext_defs[i].id == id)
            return &ext_defs[i];
    return NULL;
}
