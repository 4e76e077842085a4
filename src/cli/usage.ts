/**
 * The usage text of every `attesta` command, in a module of its own so that `attesta <command> --help`
 * prints it without importing the command (and its database drivers, oidc-provider, crypto suites).
 */

export const KEYS_USAGE = `  keys list [authz|issuer|portal] [--purpose p]
                               every key: purpose, state (pending, signing, retired, expired, revoked),
                               where it lives (sealed or HSM token), certificate and its end
  keys rotate <service> [--purpose p | --configuration id] [--lead seconds] [--label token-key-label]
                               the next key of each purpose, or of the one a credential configuration signs
                               with (named with the configurations sharing it) (in the HSM when keys.pkcs11 lists the purpose,
                               or an existing token key by label), published now, signing after the lead time
                               (keys.rotation.leadSeconds); the current key stays published while what it
                               signed is valid
  keys revoke <service> <kid>  a compromised key: out of every published key set at once, never signs again
  keys csr issuer --purpose p [--kid k] [--subject "C=…, O=…, CN=…"] [--out file.csr]
                               a PKCS#10 request signed by the key (in the HSM for a token key), for the CA;
                               p: issuer-mdoc-ds, issuer-sd-jwt (x5c), issuer-mdoc-iaca; default key: the pending one
  keys import-chain issuer --purpose p [--kid k] --chain chain.pem
                               the CA-signed chain (leaf first): refused with the reason when the leaf is for
                               another key, the chain does not link, key usage/EKU is wrong, or it is not valid now`;

export const CLIENTS_USAGE = `  clients list                 authz's clients (JSON, one per line)
  clients add --file f.json    add a client (the record of docs/authz-protocol.md; --json '{…}' also works)
  clients update <id> --file f.json   change fields of a client (null removes an optional field)
  clients disable <id>         refuse the client from now on (enable <id> undoes it)`;

export const ISSUER_USAGE = `  issuer api-key create <name> | list | revoke <id>
                               admin API keys (shown once; stored hashed)
  issuer config list | show <id> | create <file.json> | update <file.json> | disable <id> | enable <id>
                               credential configurations (validated; running issuers pick changes up within a second)
  issuer credential show <id> | status <id> <valid|suspended|revoked>
  issuer status-list <list id> <index> <valid|suspended|revoked>
                               (put -- before a list id that starts with -, as older ids may)
  issuer credential search [--configuration id] [--subject sub] [--attribute name=value]
  issuer audit [--limit n]     the admin audit trail, newest first`;

export const OFFER_USAGE = `  offer create --configuration <id> [--configuration <id>…] (--subject <sub> | --claims <json|@file>)
               [--tx-code <length>] [--tx-mode numeric|text] [--tx-description <text>]
               [--authorization-code] [--no-pre-authorized] [--expires-in <seconds>] [--draft13] [--qr]
                               an issuer-initiated credential offer (pre-authorized code by default);
                               prints the offer, its wallet URIs and the transaction code (shown once)`;

export const PASSWORD_USAGE = `  password-hash                read a password on stdin, print its scrypt hash for the registry's passwordHash`;

const OPTIONS_USAGE = `  -c, --config <file>          configuration file (also ATTESTA_CONFIG); ATTESTA_* variables override it
                               (docs/configuration.md lists every setting)`;

export const START_USAGE = `  start [--config file] [--workers N]
                               all three services in one process (embedded SQLite, demo data)
${OPTIONS_USAGE}
  -w, --workers <N>            run the issuer in N processes sharing its port (default 1)`;

export const SERVE_USAGE = `  serve <authz|issuer|portal> [--config file] [--workers N]
                               one service alone, with its own configuration
${OPTIONS_USAGE}
  -w, --workers <N>            issuer or authz: N processes sharing its port (issuer default: one per core;
                               authz default 1, and N > 1 needs rateLimit.store database or redis)`;

export const MIGRATE_USAGE = `  migrate [--check] [--config file]
                               bring every database to this version's schema (services also do it at start);
                               --check only reports: exit 1 when migrations are pending, 3 when a database
                               is newer than this version`;

export const BACKUP_USAGE = `  backup --to <folder> [--config file]
                               online copy of every SQLite database while the services run, with checksums
                               (PostgreSQL: pg_dump, docs/operations.md); the master key is not included`;

export const RESTORE_USAGE = `  restore --from <folder> [--force] [--config file]
                               put a backup in place of the configured SQLite databases (services stopped)
  restore --finish [--config file]
                               after a PostgreSQL pg_restore: close the status lists open at backup time`;
