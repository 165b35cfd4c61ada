/*
 * store_names.h — private: gives one store backend's functions names of
 * their own (see store_switch.c).
 *
 * A backend (store_sqlite.c, store_pg.c) is written against store.h as if
 * it were the only one: it defines constat_store_meta_get and so on. Before
 * including store.h it defines STORE_PREFIX (constat_sqlite_store_ or
 * constat_pg_store_) and includes this file, which turns every name below
 * into STORE_PREFIX<name> and its handle type into STORE_PREFIX-less
 * constat_sqlite_store / constat_pg_store; store_switch.c then defines the
 * real constat_store_* functions, each handing the call to the backend the
 * store was opened on.
 *
 * Adding a store function: declare it in store.h, add its line here and its
 * X line in store_switch.c, and define it in each backend.
 */
#ifndef CONSTAT_STORE_NAMES_H
#define CONSTAT_STORE_NAMES_H

#ifndef STORE_PREFIX
#error "define STORE_PREFIX before including store_names.h"
#endif
#define STORE_CAT2(a, b) a##b
#define STORE_CAT(a, b) STORE_CAT2(a, b)
#define STORE_NAME(n) STORE_CAT(STORE_PREFIX, n)

#define constat_store_create STORE_NAME(create)
#define constat_store_open STORE_NAME(open)
#define constat_store_close STORE_NAME(close)
#define constat_store_rollback STORE_NAME(rollback)
#define constat_store_begin STORE_NAME(begin)
#define constat_store_commit STORE_NAME(commit)
#define constat_store_flush STORE_NAME(flush)
#define constat_store_compact STORE_NAME(compact)
#define constat_store_meta_get STORE_NAME(meta_get)
#define constat_store_meta_set STORE_NAME(meta_set)
#define constat_store_size STORE_NAME(size)
#define constat_store_find_content STORE_NAME(find_content)
#define constat_store_leaf_put STORE_NAME(leaf_put)
#define constat_store_leaf_get STORE_NAME(leaf_get)
#define constat_store_find_id STORE_NAME(find_id)
#define constat_store_leaves STORE_NAME(leaves)
#define constat_store_tile_get STORE_NAME(tile_get)
#define constat_store_tile_put STORE_NAME(tile_put)
#define constat_store_tile_count STORE_NAME(tile_count)
#define constat_store_checkpoint_put STORE_NAME(checkpoint_put)
#define constat_store_checkpoint_latest STORE_NAME(checkpoint_latest)
#define constat_store_checkpoints STORE_NAME(checkpoints)
#define constat_store_private_put STORE_NAME(private_put)
#define constat_store_private_get STORE_NAME(private_get)
#define constat_store_monitor_put STORE_NAME(monitor_put)
#define constat_store_monitor_get STORE_NAME(monitor_get)
#define constat_store_monitors STORE_NAME(monitors)
#define constat_store_witness_log_put STORE_NAME(witness_log_put)
#define constat_store_witness_log_vkey STORE_NAME(witness_log_vkey)
#define constat_store_witness_log_rekey STORE_NAME(witness_log_rekey)
#define constat_store_witness_logs STORE_NAME(witness_logs)
#define constat_store_witness_state_get STORE_NAME(witness_state_get)
#define constat_store_witness_state_put STORE_NAME(witness_state_put)
#define constat_store_witness_alert_put STORE_NAME(witness_alert_put)
#define constat_store_witness_alerts STORE_NAME(witness_alerts)
#define constat_store_publish_witness_put STORE_NAME(publish_witness_put)
#define constat_store_publish_witness_get STORE_NAME(publish_witness_get)
#define constat_store_publish_witnesses STORE_NAME(publish_witnesses)
#define constat_store_cosignature_put STORE_NAME(cosignature_put)
#define constat_store_cosignatures STORE_NAME(cosignatures)
#define constat_store_tsa_config_put STORE_NAME(tsa_config_put)
#define constat_store_tsa_configs STORE_NAME(tsa_configs)
#define constat_store_tsa_token_put STORE_NAME(tsa_token_put)
#define constat_store_tsa_tokens STORE_NAME(tsa_tokens)
#define constat_store_private_erase STORE_NAME(private_erase)
#define constat_store_account_put STORE_NAME(account_put)
#define constat_store_account_get STORE_NAME(account_get)
#define constat_store_account_update STORE_NAME(account_update)
#define constat_store_accounts STORE_NAME(accounts)
#define constat_store_audit_put STORE_NAME(audit_put)
#define constat_store_audits STORE_NAME(audits)
#define constat_store_enrol_code_put STORE_NAME(enrol_code_put)
#define constat_store_enrol_code_take STORE_NAME(enrol_code_take)
/* the handle, and the create/open entry points the switch calls */
#define constat_store STORE_CAT(STORE_PREFIX, handle)

#endif
