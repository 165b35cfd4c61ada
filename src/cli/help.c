/*
 * help.c — every command's help in one table: usage lines, options, an
 * example and the exit codes, printed by `constat help COMMAND`,
 * `constat COMMAND --help` and `-h` (docs/cli.md). The record fields of
 * `constat help record` follow docs/record.md and the record model's
 * validation (constat_record_validate).
 */
#include <ctype.h>
#include <string.h>

#include "cli.h"

#define OPT_DIR {"--dir DIR", "the vault folder (default: $CONSTAT_DIR, else ./constat-vault)"}
#define OPT_JSON {"--json", "print machine-readable JSON instead of text"}
/* every listing command's --json prints this one shape (docs/cli.md "JSON output") */
#define OPT_JSON_LIST                                                                     \
    {"--json", "print one JSON object {\"v\": 1, \"command\", \"items\": [...]} instead of\n" \
               "text (docs/cli.md \"JSON output\")"}
#define OPT_TAXONOMY                                                                         \
    {"--taxonomy FILE", "the taxonomy of categories (default: $CONSTAT_TAXONOMY, else the\n" \
                        "bundled data/taxonomy/calais.json)"}
#define OPT_MONITOR \
    {"--monitor NAME", "the enrolled monitor whose key signs (constat monitor list)"}
#define OPT_HELP {"-h, --help", "print this help and exit 0"}

#define EXIT_OK "0  success\n"
#define EXIT_USAGE "2  usage error or bad input (the message names the file, line or field)\n"
#define EXIT_IO "3  I/O error, or the vault keys cannot be opened (passphrase)\n"
#define EXIT_VERIFY "1  a verification failed (the message names the record and the check)\n"

static const cli_help help_table[] = {
    {"init", "create a new vault (keys, database, empty log)",
     "constat init --org NAME --origin ORIGIN [--org-name TEXT] [--coordinator NAME] [--dir DIR]\n"
     "        [--no-passphrase] [--store postgresql://...]\n"
     "constat init --org-name TEXT --origin ORIGIN [--coordinator NAME] [--dir DIR]\n"
     "        [--no-passphrase] [--store postgresql://...]",
     "Creates DIR/vault.db and DIR/keys/: the log key (named ORIGIN), the organisation key\n"
     "(named NAME) and the pseudonym key; folders 0700, files 0600. With $CONSTAT_PASSPHRASE, or\n"
     "a passphrase typed twice on the terminal, the keys are sealed. When the two typed differ\n"
     "init asks both again, up to 3 tries, then exits 2 writing nothing; an empty one on the\n"
     "terminal is refused. Without a passphrase (CONSTAT_PASSPHRASE empty, or no terminal)\n"
     "init refuses and writes nothing, unless --no-passphrase is given: then the keys are\n"
     "NOT sealed (and init warns). Prints both public keys: publish them. With --store (or\n"
     "$CONSTAT_STORE) the log, checkpoints and tables go to a new schema of that PostgreSQL\n"
     "database instead of vault.db, named in DIR/store.url; keys and evidence stay in DIR\n"
     "(docs/postgresql.md).",
     {{"--org NAME", "the organisation's key name: a C2SP signed-note key name (no spaces,\n"
                     "no +), used in keys, records and file names"},
      {"--org-name TEXT", "the organisation's display name, any UTF-8 without control\n"
                          "characters (\"Ligue des droits de l'Homme\"), shown in reports;\n"
                          "without --org the key name is derived from it\n"
                          "(ligue-des-droits-de-l-homme)"},
      {"--origin ORIGIN", "the log's origin line, e.g. hro.example.org/constat/log (no spaces)"},
      {"--coordinator NAME", "also make the first account of constat serve, a coordinator; its\n"
                             "password from $CONSTAT_USER_PASSWORD, else asked twice"},
      {"--no-passphrase", "write the keys NOT sealed (anyone with the folder can sign and read)"},
      {"--store URL", "a PostgreSQL URL postgresql://[USER@]HOST/DB, optionally ending #SCHEMA"},
      OPT_DIR, OPT_HELP},
     "constat init --org hro-calais --origin hro.example.org/constat/log --dir vault\n"
     "  constat init --org hro-calais --origin hro.example.org/constat/log --dir vault \\\n"
     "      --store postgresql://constat@db.example.org/constat",
     EXIT_OK EXIT_USAGE "   (also: a vault already exists in DIR, 3 tries without two equal\n"
     "   passphrases, or no passphrase and no --no-passphrase)\n" EXIT_IO, NULL},

    {"monitor", "enrol a monitor, invite a monitor's device, list monitors, revoke or rotate a key",
     "constat monitor add NAME [--dir DIR]\nconstat monitor list [--dir DIR] [--json]\n"
     "constat monitor invite NAME [--ttl SECONDS] [--qr FILE] [--server URL] [--dir DIR]\n"
     "constat monitor revoke NAME --from TIME --reason TEXT [--dir DIR]\n"
     "constat monitor rotate NAME [--dir DIR]",
     "add: generates the monitor's signing key (kept in the vault, sealed like the others) and\n"
     "logs a monitor_enrolment record signed by the organisation key. list: name, enrolment\n"
     "leaf and verifier key of every enrolled monitor. invite: a one-time enrolment code for\n"
     "NAME, by which the monitor's own device enrols its key through constat serve (the vault\n"
     "never holds that key); printed, and as an SVG QR code in FILE (default enrol-NAME.svg).\n"
     "revoke: logs a revocation record signed by the organisation key (docs/vault.md\n"
     "\"Revocation\"): records the key signed at or after TIME, or logged after the revocation,\n"
     "fail verify; it signs nothing more. A key on the monitor's device is revoked from its\n"
     "enrolment.\n"
     "rotate: a new key for NAME (docs/vault.md \"Rotation\"): logs a monitor_rotation record\n"
     "signed by the organisation key and signs with the new key from then on; records the old key\n"
     "signed with recorded_at at or after the rotation fail verify. Only a key the vault holds:\n"
     "a device key is replaced by enrolling the device again.",
     {{"add NAME", "enrol NAME (a key name: no spaces, no +); a name enrolled twice is refused"},
      {"list", "list the enrolled monitors"},
      {"invite NAME", "issue a one-time enrolment code for NAME (only its hash is stored)"},
      {"--ttl SECONDS", "invite: how long the code is valid (default 259200, 72 hours)"},
      {"--qr FILE", "invite: where the SVG QR code goes (0600)"},
      {"--server URL", "invite: the server URL, put in the QR code for the device"},
      {"revoke NAME", "revoke NAME's key (a lost or seized device)"},
      {"--from TIME", "RFC 3339 with offset: the first second the key is not trusted"},
      {"--reason TEXT", "public text, 1-1000 bytes (e.g. lost-device)"},
      {"rotate NAME", "give NAME a new key; the old one is retired from now on"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat monitor add amina\n  constat monitor list --json\n"
     "  constat monitor invite amina --qr amina.svg --server https://intake.example.org\n"
     "  constat monitor revoke amina --from 2026-11-28T14:00:00+01:00 --reason lost-device\n"
     "  constat monitor rotate amina",
     EXIT_OK EXIT_USAGE EXIT_IO, NULL},

    {"register", "add register entries (aid points, living sites, places), or list them",
     "constat register add FILE [--dir DIR] [--json]\nconstat register list [--dir DIR] [--json]",
     "add: signs each entry of FILE (one entry object, an array, or {\"entries\": [...]} as in\n"
     "data/registers/) with the organisation key, appends them in one transaction and signs a\n"
     "checkpoint. v, kind, org, monitor and recorded_at may be left out (constat fills them in).\n"
     "An entry already logged with the same content is skipped; one bad entry and nothing is\n"
     "written. list: leaf, register, id, name and position of every entry (docs/record.md\n"
     "\"register\"). The figures release_distance and near_aid_during_distribution read them.",
     {{"add FILE", "sign and log the entries of FILE"},
      {"list", "list the register entries of the log"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat register add data/registers/calais.json\n  constat register list --json",
     EXIT_OK EXIT_USAGE EXIT_IO, NULL},

    {"record", "sign and log one record; print its receipt",
     "constat record [FILE|-] --monitor NAME [--attach FILE]... [--taxonomy FILE] [--dir DIR]\n"
     "        [--json]\n"
     "constat record --new [--template] [--monitor NAME] [--attach FILE]... [--taxonomy FILE]\n"
     "        [--dir DIR] [--json]",
     "Reads one record, a JSON object (fields below), from FILE or standard input (-, the\n"
     "default). Lines whose first non-blank characters are // are comments. constat fills in\n"
     "v, kind, org, monitor, recorded_at and id, turns `private` values into salted\n"
     "commitments and `affected.person_identifiers` into pseudonyms, validates the record\n"
     "(unknown fields and categories are errors), signs it with the monitor's key, appends\n"
     "it and signs a checkpoint. The receipt gives the record id, leaf index, leaf hash, the\n"
     "signed checkpoint and the inclusion proof. The same content again adds nothing.\n"
     "--new on a terminal asks the questions one by one (category from the taxonomy, place,\n"
     "local time, coordinates in decimal degrees, items seized or destroyed by kind of the\n"
     "taxonomy, text), asks again with the reason when an\n"
     "answer is invalid, shows the record and logs it after confirmation. --new when standard\n"
     "input is not a terminal, or with --template, prints a template to edit instead.",
     {OPT_MONITOR,
      {"--new", "write the record by answering questions (stdin a terminal), else print a\n"
                "template; --monitor is asked for when not given"},
      {"--template", "with --new: print the JSON template (categories listed in comments),\n"
                     "to edit and pass to `constat record FILE`"},
      {"--attach FILE", "then attach FILE as evidence to the record (repeatable, at most 64;\n"
                        "see constat attach)"},
      OPT_TAXONOMY, OPT_DIR, {"--json", "print the receipt as JSON"}, OPT_HELP},
     "constat record data/examples/observation.json --monitor amina\n"
     "  constat record --new --monitor amina\n"
     "  constat record --new --template > obs.json && constat record obs.json --monitor amina",
     EXIT_OK "   (also when the same content is already logged: nothing added)\n" EXIT_USAGE
         "   (also: answers ended before the record was complete, or not confirmed)\n" EXIT_IO,
     "Record fields (an incident; docs/record.md has every kind):\n"
     "  v             1. Filled in.\n"
     "  kind          \"incident\" (the default). Filled in.\n"
     "  id            record id: 1-128 characters of A-Z a-z 0-9 . _ : -, unique in the log.\n"
     "                Filled in (\"inc-\" + 16 hex digits of the content hash) when absent.\n"
     "  org           the vault's organisation name. Filled in.\n"
     "  monitor       the signing monitor (--monitor). Filled in.\n"
     "  recorded_at   when the monitor wrote the record, RFC 3339. Filled in with now.\n"
     "  occurred      when it happened, required:\n"
     "    start       RFC 3339 time with the UTC offset in effect at the place and whole\n"
     "                seconds, e.g. 2026-11-28T07:40:00+01:00 (\"Z\" for UTC).\n"
     "    end         RFC 3339 time, the same as start for an instant; start <= end.\n"
     "    precision   minute, hour, day, month or year. A day runs from local midnight to\n"
     "                the next local midnight, each at its own offset (23- and 25-hour days).\n"
     "  place         where, required; at least name or site:\n"
     "    name        the place as people call it (text).\n"
     "    site        a living-site id or name (text).\n"
     "    commune     the commune (text).\n"
     "    country     English country name, e.g. France.\n"
     "    lat_e7      latitude in degrees x 10^7 (integer, WGS 84): 50.9510 -> 509510000;\n"
     "                within -900000000..900000000. lat_e7 and lon_e7 both or neither.\n"
     "    lon_e7      longitude in degrees x 10^7, within -1800000000..1800000000.\n"
     "    precision_m how exact the position is, in metres (integer >= 0).\n"
     "  categories    taxonomy ids (constat taxonomy), at least one; sorted and duplicates\n"
     "                dropped on intake; an unknown id is an error.\n"
     "  authority     who acted (optional):\n"
     "    forces      array of text, as observed (\"CRS\", \"Police nationale\").\n"
     "    unit        text.\n"
     "    vehicles    array of {kind, count (integer >= 0)}: kind a vehicle kind of the\n"
     "                taxonomy (constat taxonomy: van, car, bus...).\n"
     "    officers    number of officers (integer >= 0).\n"
     "    id_numbers  array of text: visible identification (RIO) numbers.\n"
     "  affected      who was affected (optional):\n"
     "    count       number of people (integer 0..10^9).\n"
     "    minors      yes, no or unknown.\n"
     "    legal_status  object: status -> count, e.g. {\"asylum_seeker\": 3}; statuses\n"
     "                of the taxonomy (constat taxonomy).\n"
     "    nationalities array of text.\n"
     "    person_identifiers  input only: clear identifiers of the people; each becomes a\n"
     "                pseudonym \"p:\" + 64 hex (keyed HMAC) in `persons`; never stored.\n"
     "    persons     array of pseudonyms (filled in from person_identifiers).\n"
     "  items         array of {kind, action, count}: kind an item kind of the taxonomy\n"
     "                (constat taxonomy: tents, phones, cash_eur...), whose unit says what\n"
     "                count counts (objects, persons, or money in a currency);\n"
     "                action seized, destroyed or seized_or_destroyed; count an integer\n"
     "                0..10^9 or null when the number is unknown (always null for cash of\n"
     "                no stated currency). Write phones + destroyed, not phones_broken.\n"
     "  source        required: type direct_observation, testimony or publication;\n"
     "                reference (URL or repository path, required for publication);\n"
     "                source_id (the source's own identifier).\n"
     "  summary       public factual summary (text). Signed and published in clear.\n"
     "  evidence      array of {sha256: 64 lowercase hex}: files bound by hash (constat attach\n"
     "                adds evidence records; this field is rarely written by hand).\n"
     "  private       input: object of field -> clear value (narrative, witness contact, exact\n"
     "                shelter location). Each value gets a random 16-byte salt; the record\n"
     "                carries only the SHA-256 commitment (64 hex); salt and value stay in the\n"
     "                vault (constat show --private).\n"
     "Numbers are integers only (no decimals anywhere), within +-(2^53-1); counts <= 10^9.\n"
     "Optional fields are left out when unknown, never null (except item counts).\n"
     "Other kinds, written by constat itself, with v, kind, id, org, monitor, recorded_at:\n"
     "  monitor_enrolment  vkey (the monitor's verifier key), enrolled_at (RFC 3339); id\n"
     "                \"enrol:<monitor>\", signed by the organisation key (constat monitor add).\n"
     "  shift         start, end (RFC 3339), area {name, commune, lat_e7, lon_e7, radius_m\n"
     "                in metres}: a monitor's presence in the field.\n"
     "  evidence      incident (record id), sha256 (64 lowercase hex of the file), size (bytes),\n"
     "                media_type (type/subtype), capture {time (RFC 3339) or local_time\n"
     "                (YYYY-MM-DDTHH:MM:SS, camera clock without offset), lat_e7, lon_e7,\n"
     "                alt_cm (centimetres), make, model} (constat attach).\n"
     "  custody       evidence (sha256), incident, event (copied, handed_over, sealed,\n"
     "                received), to (who holds it), note (public) (constat custody).\n"
     "  correction    corrects (record id), replacement (the whole new record, same id),\n"
     "                reason (public, optional) (constat correct).\n"
     "  retraction    retracts (record id), reason (public) (constat retract).\n"
     "  erasure       erases (record id), leaf, reason, figures (keep or exclude): its private\n"
     "                values and evidence files were destroyed (constat erase).\n"
     "  revocation    key_id, from (RFC 3339), reason; signed by the organisation key: the\n"
     "                monitor's key is not trusted from then on (constat monitor revoke).\n"
     "  monitor_rotation  retires (key id), vkey (the new key); signed by the organisation\n"
     "                key (constat monitor rotate).\n"
     "Input only: \"location_precision\": \"coarse\" keeps the exact place.lat_e7/lon_e7 in the\n"
     "private field place_exact and logs them on a 0.01-degree grid (docs/record.md)."},

    {"attach", "store evidence files and log them for an incident",
     "constat attach RECORD_ID FILE... --monitor NAME [--dir DIR] [--json]",
     "For each FILE: hash it (SHA-256), copy it into the vault's content-addressed store, read\n"
     "its media type and (JPEG) its EXIF capture time and position, and log an evidence record\n"
     "signed by the monitor for the logged incident RECORD_ID. Prints per file the record id,\n"
     "leaf, hash, size, media type, capture metadata and the flags against the incident\n"
     "(capture time more than 1 h outside the incident, position more than 2 km from it).",
     {{"RECORD_ID", "the id of a logged incident (constat log)"},
      {"FILE...", "one or more files; the same file for the same incident adds nothing"},
      OPT_MONITOR, OPT_DIR, OPT_JSON, OPT_HELP},
     "constat attach HRO-2021-04-16-PUYTHOUCK photo.jpg --monitor amina",
     EXIT_OK EXIT_USAGE "   (also: no such incident)\n" EXIT_IO, NULL},

    {"custody", "log a chain-of-custody event for an evidence file",
     "constat custody EVIDENCE_ID --event copied|handed_over|sealed|received --to WHO\n"
     "        [--note TEXT] --monitor NAME [--dir DIR]",
     "Logs a signed custody record for the evidence record EVIDENCE_ID (its file hash and\n"
     "incident are copied in). constat show prints the chain.",
     {{"EVIDENCE_ID", "the id of an evidence record (ev-..., printed by constat attach)"},
      {"--event EVENT", "copied, handed_over, sealed or received"},
      {"--to WHO", "who holds the file now (text)"},
      {"--note TEXT", "a note: PUBLIC, signed in clear and carried in dossiers"},
      OPT_MONITOR, OPT_DIR, OPT_HELP},
     "constat custody ev-0123456789abcdef-01234567 --event handed_over \\\n"
     "      --to \"Defenseur des droits\" --monitor amina",
     EXIT_OK EXIT_USAGE "   (also: unknown event, no such evidence record)\n" EXIT_IO, NULL},

    {"correct", "log a signed correction of an incident or evidence record",
     "constat correct ID FILE --monitor NAME [--reason TEXT] [--taxonomy FILE] [--dir DIR]\n"
     "        [--json]",
     "Logs a correction record signed by the monitor: FILE is the whole replacement of the\n"
     "logged record ID (an incident as for constat record, or an evidence record), with the\n"
     "same id (or none: ID is filled in). Nothing is deleted: the original stays in the log\n"
     "and provable; figures, reports and dossiers use the latest correction and say how many\n"
     "records were corrected (figure records_corrected). An id not in the log, or a retracted\n"
     "record, is refused.",
     {{"ID", "the id of a logged incident or evidence record"},
      {"FILE", "the replacement record (JSON, '-' for standard input)"},
      {"--reason TEXT", "why (public, signed in clear)"},
      OPT_MONITOR, OPT_TAXONOMY, OPT_DIR, OPT_JSON, OPT_HELP},
     "constat correct inc-2018-07-11-a fixed.json --monitor amina --reason \"wrong date\"",
     EXIT_OK EXIT_USAGE "   (also: no such record, already retracted)\n" EXIT_IO, NULL},

    {"retract", "log a signed retraction of an incident or evidence record",
     "constat retract ID --reason TEXT --monitor NAME [--dir DIR] [--json]",
     "Logs a retraction record signed by the monitor. Nothing is deleted: the original stays\n"
     "in the log and provable; figures and reports leave the record out (a retracted evidence\n"
     "record no longer counts for its incident) and say how many were retracted (figure\n"
     "records_retracted). An id not in the log, or one already retracted, is refused.",
     {{"ID", "the id of a logged incident or evidence record"},
      {"--reason TEXT", "why (public, signed in clear; required)"},
      OPT_MONITOR, OPT_DIR, OPT_JSON, OPT_HELP},
     "constat retract inc-2018-07-11-b --reason \"recorded twice\" --monitor amina",
     EXIT_OK EXIT_USAGE "   (also: no such record, already retracted)\n" EXIT_IO, NULL},

    {"import", "import incidents from a CSV file (docs/formats.md)",
     "constat import FILE.csv --monitor NAME [--taxonomy FILE] [--quiet] [--dir DIR]",
     "Reads the incident CSV of docs/formats.md. Every row is converted and validated first;\n"
     "if any row is bad, every bad row is reported (file, line, column) and nothing is\n"
     "written. Otherwise all records are signed by the monitor and appended in one\n"
     "transaction. Rows already in the log are skipped: importing twice adds nothing.",
     {{"FILE.csv", "the CSV file (15 columns, header line first)"},
      OPT_MONITOR, OPT_TAXONOMY,
      {"--quiet", "no progress bar and no per-row lines"},
      OPT_DIR, OPT_HELP},
     "constat import data/demo/incidents_public.csv --monitor amina",
     EXIT_OK EXIT_USAGE "   (nothing imported, the vault is unchanged)\n" EXIT_IO, NULL},

    {"taxonomy", "list the categories (ids, labels) and item kinds records use",
     "constat taxonomy [--taxonomy FILE] [--dir DIR] [--json]",
     "Lists the categories of the taxonomy, numbered in file order, with their ids and English\n"
     "and French labels: a record's `categories` holds the ids. Then the item actions, the\n"
     "item kinds of the taxonomy with the unit of their count (items, persons, or currency\n"
     "with its ISO 4217 code), and how many incidents of the vault use each kind. Without a\n"
     "vault only the taxonomy is listed.",
     {OPT_TAXONOMY,
      {"--dir DIR", "the vault whose item kinds are listed (default: $CONSTAT_DIR, else\n"
                    "./constat-vault; skipped when there is none)"},
      {"--json", "print one JSON object {\"v\": 1, \"command\", \"items\": the categories,\n"
                 "\"taxonomy\", \"item_actions\", \"item_kinds\", \"vault\",\n"
                 "\"item_kinds_in_use\"} (docs/cli.md)"},
      OPT_HELP},
     "constat taxonomy\n  constat taxonomy --json",
     EXIT_OK EXIT_USAGE "   (also: the taxonomy file is not a valid taxonomy)\n" EXIT_IO, NULL},

    {"keys", "print the public keys and their history; name recipients; change the passphrase",
     "constat keys [--dir DIR] [--json]\n"
     "constat keys history [--dir DIR]\n"
     "constat keys rotate --org|--log [--reason TEXT] [--dir DIR]\n"
     "constat keys recipient-new NAME\n"
     "constat keys recipient add NAME FILE.pub [--dir DIR]\n"
     "constat keys recipient list [--dir DIR]\n"
     "constat keys passwd [--dir DIR]",
     "Prints the log and organisation verifier keys in the format of a --trust file (lines\n"
     "\"log VKEY\" and \"org VKEY\"). Publish them; verifiers pin them.\n"
     "history: the keys in force at each leaf range, and the log key that signs each range of\n"
     "checkpoint sizes (docs/vault.md \"Revocation\", \"Rotation\", \"Log key rotation\").\n"
     "rotate --org: a new organisation key, written sealed to keys/org-<hex8>.key, then one\n"
     "transaction logs a key_transition record signed by the old AND the new key and switches\n"
     "the vault to the new key; organisation records after it must carry the new key. Then\n"
     "every data key (private values, evidence files) is re-sealed to the new key and the\n"
     "retired key file is overwritten and removed: the old key file and the passphrase open\n"
     "nothing more. Killed before the commit, the old key stays in force; killed during the\n"
     "re-seal, everything stays readable and 'constat vault seal' finishes it (another\n"
     "rotation is refused until then). A dossier across the rotation\n"
     "carries the transitions; constat verify follows them from the pinned first key.\n"
     "rotate --log: a new log key (it signs checkpoints), written sealed to\n"
     "keys/log-<hex8>.key, then one transaction logs a key_transition record (\"key\": \"log\")\n"
     "signed by the old AND the new log key, switches the vault to the new key and signs with\n"
     "it the checkpoint that holds the transition; the retired key file is then overwritten\n"
     "and removed. Checkpoints up to the transition's leaf are the old key's, those after it\n"
     "the new key's; the origin stays the same. Dossiers carry the transition and constat\n"
     "verify follows it; constat publish hands it to constat witnesses. Killed before the\n"
     "commit, the old key stays in force. Both rotations are refused while constat serve\n"
     "runs on the vault.\n"
     "recipient-new: makes an X25519 key pair for receiving disclosures (constat disclose\n"
     "--to): NAME.pub to hand out, NAME.key (mode 0600) to keep. Refuses to overwrite.\n"
     "recipient add: data keys of private values and evidence files sealed from now on are\n"
     "also sealed to NAME's X25519 key (FILE.pub: a PEM public key, made with 'openssl genpkey\n"
     "-algorithm X25519 -out NAME.pem; openssl pkey -in NAME.pem -pubout -out NAME.pub');\n"
     "'constat vault seal' then re-seals what is already stored. recipient list: the keys data\n"
     "keys are sealed to, the organisation's first.\n"
     "passwd: re-seals every key file under a new passphrase (crash-safe: the new set is\n"
     "written and fsync'd beside the old, then swapped in one atomic rename). The current one\n"
     "from $CONSTAT_PASSPHRASE (then the new one from $CONSTAT_NEW_PASSPHRASE), or both asked\n"
     "on the terminal (the new one twice).",
     {{"recipient-new NAME", "write NAME.pub and NAME.key"},
      {"history", "each signing key with the leaves it signed (first .. last, count), its\n"
                  "rotation and its revocation"},
      {"rotate --org", "rotate the organisation key (key transition signed by both keys)"},
      {"rotate --log", "rotate the log (checkpoint) key (key transition signed by both keys)"},
      {"--reason TEXT", "with rotate: public reason logged in the transition (default\n"
                        "\"scheduled rotation\")"},
      {"recipient add NAME FILE", "seal data keys to NAME's X25519 public key too"},
      {"recipient list", "list the recipients data keys are sealed to"},
      {"passwd", "change the passphrase that seals the key files"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat keys > hro-keys.txt\n  constat keys recipient-new ddd\n"
     "  constat keys rotate --org --reason \"yearly rotation\"\n"
     "  constat keys rotate --log --reason \"the log key may have been copied\"\n"
     "  constat keys recipient add coordinator coordinator.pub\n"
     "  CONSTAT_PASSPHRASE=old CONSTAT_NEW_PASSPHRASE=new constat keys passwd",
     EXIT_OK EXIT_USAGE "   (also: a bad public key file, a recipient already named; rotate\n"
     "      without --org or --log, or with both; a rotation while constat serve runs)\n"
     EXIT_IO "   (also: a wrong current passphrase, nothing changed)\n", NULL},

    {"vault", "seal an existing vault in place (private values, evidence files)",
     "constat vault seal [--dir DIR]",
     "Seals what an earlier version stored in clear: private values (also those of the\n"
     "first sealed form, and those sealed to fewer recipients than named now) and evidence\n"
     "files, each under a fresh data key sealed to the organisation's X25519 key and the\n"
     "named recipients; makes folders 0700 and files 0600; then compacts the database so no\n"
     "old page keeps a clear value. Crash-safe and idempotent: stopped at any point (kill -9,\n"
     "power cut), run it again: nothing is lost and nothing stays in clear. Needs the\n"
     "passphrase.",
     {OPT_DIR, OPT_HELP},
     "CONSTAT_PASSPHRASE=... constat vault seal --dir vault",
     EXIT_OK EXIT_USAGE EXIT_VERIFY "   (an evidence file does not hash to its name: the store is "
     "damaged)\n" EXIT_IO, NULL},

    {"checkpoint", "sign and print a checkpoint of the log",
     "constat checkpoint [--dir DIR]",
     "Signs a C2SP checkpoint (origin, tree size, root hash) with the log key, or prints the\n"
     "newest one if the tree has not grown.",
     {OPT_DIR, OPT_HELP},
     "constat checkpoint",
     EXIT_OK EXIT_USAGE EXIT_IO, NULL},

    {"prove", "print an inclusion or consistency proof",
     "constat prove inclusion INDEX [--size N] [--dir DIR] [--json]\n"
     "constat prove consistency OLD NEW [--dir DIR] [--json]",
     "inclusion: the RFC 9162 2.1.3 proof that leaf INDEX (from 0) is in the tree of size N,\n"
     "with the leaf hash and the root. consistency: the RFC 9162 2.1.4 proof that the tree of\n"
     "size OLD is a prefix of the tree of size NEW, with both roots. Hashes in base64.",
     {{"inclusion INDEX", "the leaf index, 0 .. size-1"},
      {"--size N", "the tree size to prove against (default: the current size)"},
      {"consistency OLD NEW", "two tree sizes, OLD <= NEW"},
      OPT_DIR, OPT_JSON, OPT_HELP},
     "constat prove inclusion 12\n  constat prove consistency 10 171 --json",
     EXIT_OK EXIT_USAGE "   (also: index or size beyond the tree)\n" EXIT_IO, NULL},

    {"log", "list logged records, optionally filtered",
     "constat log [--kind K] [--category C] [--place P] [--from DATE] [--to DATE] [--dir DIR]\n"
     "        [--json]",
     "One line per record: leaf index, kind, id, time, place, categories; the count goes to\n"
     "standard error. The category, place and date filters select incidents.",
     {{"--kind K", "only records of kind K: incident, monitor_enrolment, shift, evidence,\n"
                   "custody, correction, retraction, erasure, revocation,\n"
                   "monitor_rotation"},
      {"--category C", "only incidents with the taxonomy id C (constat taxonomy)"},
      {"--place P", "only incidents whose place name contains P (ASCII letters\n"
                     "case-insensitive)"},
      {"--from DATE", "only incidents whose local start date is DATE (YYYY-MM-DD) or\n"
                     "later"},
      {"--to DATE", "only incidents whose local start date is DATE or earlier"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat log --place calais --from 2022-01-01",
     EXIT_OK EXIT_USAGE "   (also: a malformed date filter)\n" EXIT_IO, NULL},

    {"show", "show one record: fields, signature, inclusion",
     "constat show ID|INDEX [--dir DIR] [--json] [--private]",
     "Prints the record, its leaf hash, whether its signature verifies against the enrolled\n"
     "key, whether it is included in the newest checkpoint (proof recomputed), its three times\n"
     "(occurred and recorded, both claimed; the earliest time an RFC 3161 token proves), and\n"
     "for incidents and evidence records the evidence files, flags and chain of custody.",
     {{"ID|INDEX", "a record id, or a leaf index (digits only)"},
      {"--private", "also print the private values kept in the vault (never put them in\n"
                    "a dossier)"},
      OPT_DIR,
      {"--json", "print one JSON object: index, record, leaf_hash, key_id, times, and the\n"
                 "results \"signature\" {valid, result} and \"inclusion\" {state, included,\n"
                 "checkpoint_size, proof_hashes}"},
      OPT_HELP},
     "constat show HRO-2021-04-16-PUYTHOUCK\n  constat show 12 --json",
     EXIT_OK EXIT_VERIFY "   (the signature or the inclusion proof does not verify)\n" EXIT_USAGE
         "   (also: no such record)\n" EXIT_IO,
     NULL},

    {"report", "write the HTML report, figures.json and CSV",
     "constat report --out DIR [--country CC] [--commune NAME] [--from DATE] [--to DATE]\n"
     "        [--first-hand] [--public [--k N]] [--pdf] [--taxonomy FILE] [--dir DIR]",
     "Writes DIR/index.html (French and English, SVG charts, no JavaScript; the summary\n"
     "first, how to verify last), figures.json (every figure lists the leaf indices it\n"
     "counts; docs/indicators.md), one CSV per figure and incidents.csv, over the incidents\n"
     "of the newest signed checkpoint in the scope given. Past 1,000 incidents the list is\n"
     "paged into incidents-1.html, incidents-2.html ... What verification fails for a\n"
     "revoked key (constat monitor revoke) is left out, each record named in a warning.",
     {{"--out DIR", "the folder to write (created if needed)"},
      {"--country CC", "only incidents in this country (ISO 3166-1 alpha-2, e.g. FR)"},
      {"--commune NAME", "only incidents in this commune (place.commune, else place.name)"},
      {"--from DATE", "only incidents that occurred on or after DATE (YYYY-MM-DD, local)"},
      {"--to DATE", "only incidents that occurred on or before DATE (YYYY-MM-DD, local)"},
      {"--first-hand", "only incidents a monitor observed (source.type direct_observation):\n"
                       "every figure from first-hand records alone"},
      {"--public", "a report fit to publish: cells under k suppressed (with secondary\n"
                   "suppression), small groups merged, per-person figures withheld, places\n"
                   "only suppressed cells hold withheld, positions snapped to a register\n"
                   "site within 300 m or a 500 m grid, no incident list and no leaf;\n"
                   "`constat verify DIR` checks it obeys its k"},
      {"--k N", "the threshold of --public (2 to 1000; default 5; implies --public)"},
      {"--pdf", "also print DIR/report.pdf with headless Chromium (exit 3, report\n"
                "written, when chromium is not installed: sh scripts/install-deps pdf)"},
      OPT_TAXONOMY, OPT_DIR, OPT_HELP},
     "constat report --out report/\n"
     "  constat report --out calais/ --country FR --commune Calais --from 2020-01-01\n"
     "  constat report --out public/ --public --k 10",
     EXIT_OK EXIT_USAGE EXIT_IO "   (also: --pdf without chromium, the report written)\n", NULL},

    {"dossier", "write a self-contained dossier for verifiers",
     "constat dossier --out DIR [--from DATE] [--to DATE] [--category C] [--place P]\n"
     "        [--country CC] [--commune NAME] [--first-hand] [--with-evidence]\n"
     "        [--public [--k N]] [--taxonomy FILE] [--dir DIR]",
     "Writes a folder with the selected incident leaves exactly as logged, their monitors'\n"
     "enrolments, an inclusion proof for each to one signed checkpoint (with witness\n"
     "cosignatures when there are), the public keys, the taxonomy, figures and report, a\n"
     "manifest signed by the organisation key and VERIFY.md (docs/dossier.md).",
     {{"--out DIR", "the dossier folder to write"},
      {"--from DATE", "only incidents whose local start date is DATE (YYYY-MM-DD) or\n"
                     "later"},
      {"--to DATE", "only incidents whose local start date is DATE or earlier"},
      {"--category C", "only incidents with the taxonomy id C"},
      {"--place P", "only incidents whose place name, commune or site contains P (accents\n"
                     "and case aside)"},
      {"--country CC", "only incidents in this country (ISO 3166-1 alpha-2, e.g. FR), as for\n"
                       "report; the manifest records the country's name"},
      {"--commune NAME", "only incidents in this commune (place.commune, else place.name),\n"
                         "accents and case aside, as for report"},
      {"--first-hand", "only incidents a monitor observed (source.type direct_observation),\n"
                       "as report --first-hand; the manifest records filter.source_type and\n"
                       "verify recounts every figure from first-hand records alone"},
      {"--with-evidence", "also copy the evidence files (otherwise only their hashes travel);\n"
                           "not with --public (their EXIF would be published)"},
      {"--public", "a public dossier: also public/, the public report (report --public) of\n"
                   "the same records, which verify recounts from the leaves, suppresses\n"
                   "again with its k and whose snapped sites it finds among the logged\n"
                   "register entries; refused when a leaf holds an exact position within\n"
                   "300 m of a living site (record it coarse)"},
      {"--k N", "the k of --public (2 to 1000, default 5); implies --public"},
      OPT_TAXONOMY, OPT_DIR, OPT_HELP},
     "constat dossier --out dossier-2024/ --from 2024-01-01 --to 2024-12-31 --place calais\n"
     "  constat dossier --out calais-2024/ --country FR --commune Calais --from 2024-01-01\n"
     "  constat dossier --out first-hand/ --first-hand\n"
     "  constat dossier --out public-2026/ --public --k 5",
     EXIT_OK EXIT_USAGE "   (also: a bad filter, an unknown category or country, a selection\n"
     "   of no incident, --k out of range, --public with an exact position at a living\n"
     "   site: nothing written)\n" EXIT_IO, NULL},

    {"verify", "verify a dossier (offline) or a whole vault",
     "constat verify DIR [--trust FILE] [--tsa-ca FILE] [--witness-policy FILE] [--json]\n"
     "constat verify DOSSIER --disclosure DIR [--key RECIPIENT.key] [--trust FILE]\n"
     "constat verify --tiles DIR|URL [--log-key VKEY | --trust FILE] [--since-checkpoint FILE]\n"
     "        [--json]",
     "DIR is a dossier or a vault. A dossier is checked offline: every signature, enrolment\n"
     "and inclusion proof, the checkpoint, the manifest and its signature, every file, every\n"
     "figure recounted. A vault: every leaf, tile, checkpoint and signature recomputed.\n"
     "A public report (report --public): its k, its pages re-rendered, its checkpoint\n"
     "signature (log key pinned by --trust, else its own); its figures cannot be recounted.\n"
     "--tiles audits a log published as C2SP tlog-tiles (docs/tiles.md). One line per\n"
     "failure naming the record and the check.",
     {{"DIR", "a dossier folder, a vault folder or a public report folder"},
      {"--trust FILE", "pin the keys: lines \"log VKEY\" and \"org VKEY\" (constat keys)"},
      {"--tsa-ca FILE", "check RFC 3161 tokens against this CA bundle (PEM or DER)"},
      {"--witness-policy FILE", "require K of N witnesses' cosignatures: lines\n"
                                "\"witness NAME VKEY\", \"quorum K\" (docs/witness.md)"},
      {"--tiles DIR|URL", "audit a tiles publication (a folder, or an http(s):// prefix)"},
      {"--log-key VKEY", "the log key the tiles' checkpoint must be signed by"},
      {"--since-checkpoint FILE", "also prove consistency with an earlier checkpoint you kept"},
      {"--disclosure DIR", "after the dossier, check a disclosure (constat disclose): each\n"
                           "revealed value against the commitment in its signed leaf;\n"
                           "not with --json"},
      {"--key FILE", "the recipient's secret key (constat keys recipient-new) to open a\n"
                     "sealed disclosure"},
      OPT_JSON, OPT_HELP},
     "constat verify dossier-2024/ --trust hro-keys.txt\n"
     "  constat verify dossier-2024/ --disclosure for-ddd/ --key ddd.key\n"
     "  constat verify --tiles https://hro.example.org/log/ --trust hro-keys.txt",
     "0  everything verified\n" EXIT_VERIFY EXIT_USAGE
         "   (also: an unreadable trust file or witness policy)\n" EXIT_IO,
     NULL},

    {"disclose", "reveal chosen private fields of chosen records to one recipient",
     "constat disclose RECORD[,RECORD...] --fields FIELD[,FIELD...] (--to RECIPIENT.pub | --clear)\n"
     "        --out DIR [--dir DIR]",
     "Writes, for each record and each private field it commits to, the value and its salt,\n"
     "sealed to the recipient's X25519 key (crypto_box_seal; disclosure.sealed) or, with\n"
     "--clear, in clear (disclosure.json). Nothing else of the records is revealed. The\n"
     "recipient checks it against a dossier holding those records: constat verify DOSSIER\n"
     "--disclosure DIR --key RECIPIENT.key (docs/dossier.md \"Selective disclosure\").",
     {{"RECORD", "record ids, several arguments or comma-separated"},
      {"--fields LIST", "private field names, comma-separated (e.g. narrative,place)"},
      {"--to FILE", "the recipient's public key (constat keys recipient-new)"},
      {"--clear", "write the values unencrypted (for a recipient without a key)"},
      {"--out DIR", "the folder to create (must not exist)"},
      OPT_DIR, OPT_HELP},
     "constat disclose inc-1,inc-2,inc-7 --fields narrative --to ddd.pub --out for-ddd/",
     EXIT_OK EXIT_USAGE "   (also: a record not in the log, or with none of the fields)\n"
     EXIT_IO, NULL},

    {"erase", "destroy a record's private values and evidence files, keeping its leaf",
     "constat erase RECORD --reason TEXT [--exclude-from-figures] [--dir DIR]",
     "Crypto-shredding (docs/vault.md \"Erasure\"): in one transaction, logs an erasure record\n"
     "signed by the organisation key (naming the record, its leaf and the reason) and deletes the\n"
     "private values and salts of the record, of its corrections and, for an incident, of its\n"
     "evidence records (overwritten with zeros first); then overwrites and unlinks its evidence\n"
     "files (a file another record binds is kept). The leaf stays: every proof and checkpoint\n"
     "still verifies, and its public fields keep counting in the figures. Run again on an\n"
     "erased record, it finishes an interrupted run and logs nothing new.",
     {{"RECORD", "the id of an incident or evidence record"},
      {"--reason TEXT", "public text, 1-1000 bytes, signed in the erasure record"},
      {"--monitor NAME", "ignored (the organisation key signs the erasure record)"},
      {"--exclude-from-figures", "say in the erasure record that figures leave the record out"},
      OPT_DIR, OPT_HELP},
     "constat erase inc-3f2a --reason \"the person asked\"",
     EXIT_OK EXIT_USAGE "   (also: a record not in the log, or not an incident or evidence)\n"
     EXIT_IO, NULL},

    {"tiles", "publish the log as C2SP tlog-tiles static files",
     "constat tiles export OUTDIR [--dir DIR]\n"
     "constat tiles audit DIR|URL [--log-key VKEY | --trust FILE] [--since-checkpoint FILE]\n"
     "        [--json]",
     "Writes OUTDIR/checkpoint (signed now if the tree grew), tile/<L>/<N>[.p/<W>] and\n"
     "tile/entries/<N>[.p/<W>] for any static web server (docs/tiles.md). Exporting again\n"
     "into the same folder writes only what changed. audit checks a publication from a\n"
     "folder or a web server, as `constat verify --tiles` does.",
     {{"export OUTDIR", "the folder to write"},
      {"audit DIR|URL", "audit a tiles publication (a folder, or an http(s):// prefix)"},
      {"--log-key VKEY", "audit: the log key the checkpoint must be signed by"},
      {"--trust FILE", "audit: take the log key from a `constat keys` listing"},
      {"--since-checkpoint FILE", "audit: also prove consistency with an earlier checkpoint"},
      OPT_JSON, OPT_DIR, OPT_HELP},
     "constat tiles export public-log/\n"
     "  constat tiles audit http://127.0.0.1:8080/ --trust hro-keys.txt",
     EXIT_OK "1  audit: a check failed\n" EXIT_USAGE
         "   (also: a leaf too large for an entry bundle)\n" EXIT_IO, NULL},

    {"tsa", "configure RFC 3161 time-stamping authorities",
     "constat tsa add NAME URL --ca FILE [--dir DIR]\nconstat tsa list [--dir DIR] [--json]",
     "add: configure a time-stamping authority; every certificate in FILE is a trust anchor its\n"
     "token signer must chain to. list: the configured TSAs.",
     {{"add NAME URL", "NAME: 1-64 characters of A-Za-z0-9._-; URL: http:// or https://"},
      {"--ca FILE", "the TSA's CA bundle (PEM, or one DER certificate)"},
      {"list", "list the configured TSAs"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat tsa add my-tsa https://tsa.example.org/ --ca tsa-ca.pem",
     EXIT_OK EXIT_USAGE EXIT_IO, NULL},

    {"timestamp", "have the newest checkpoint time-stamped (RFC 3161)",
     "constat timestamp [--tsa URL --ca FILE] [--dir DIR]",
     "Signs a checkpoint if the tree grew, then asks every configured TSA (or only the one\n"
     "given) for an RFC 3161 token over SHA-256 of the checkpoint; each reply is checked and\n"
     "only verified tokens are kept (docs/time.md). One line per token or failing TSA.",
     {{"--tsa URL", "ask only this TSA (with --ca)"},
      {"--ca FILE", "the CA bundle of the TSA given with --tsa"},
      OPT_DIR, OPT_HELP},
     "constat timestamp",
     EXIT_OK EXIT_VERIFY "   (a TSA's reply does not verify)\n" EXIT_USAGE
         "   (also: no TSA configured)\n"
         "3  I/O error, a TSA unreachable, or the vault keys cannot be opened\n",
     NULL},

    {"witness", "witness other organisations' logs (C2SP tlog-witness)",
     "constat witness init|key [--dir DIR]\n"
     "constat witness logs|alerts [--dir DIR] [--json]\n"
     "constat witness add-log ORIGIN VKEY [--dir DIR]\n"
     "constat witness cosign CHECKPOINT [--proof FILE] [--dir DIR]\n"
     "constat witness serve --listen IPV4:PORT [--port-file FILE] [--dir DIR]",
     "This organisation as a witness of other logs (docs/witness.md): it cosigns a checkpoint\n"
     "only if it is consistent with every checkpoint of that log it cosigned before.",
     {{"init", "make the witness key (cosignature/v1) and print its vkey"},
      {"key", "print the witness vkey"},
      {"add-log ORIGIN VKEY", "start witnessing the log ORIGIN signed by VKEY"},
      {"logs", "list the witnessed logs with the size cosigned so far"},
      {"cosign CHECKPOINT", "decide one add-checkpoint offline; print the cosignature line"},
      {"--proof FILE", "optional \"old N\" line, then base64 consistency proof hashes"},
      {"serve", "serve POST /add-checkpoint until SIGINT/SIGTERM"},
      {"--listen IPV4:PORT", "the address to listen on (port 0: a free port, printed)"},
      {"--port-file FILE", "write the port actually used to FILE"},
      {"alerts", "print evidence of forks and inconsistent checkpoints"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat witness add-log other.example.org/log other.example.org/log+1234abcd+AQ...\n"
     "  constat witness serve --listen 0.0.0.0:8080",
     EXIT_OK "1  cosign refused: 403 (bad signature) or 422 (inconsistent)\n" EXIT_USAGE
         "   (also: cosign refused with 400, 404 or 409)\n" EXIT_IO,
     NULL},

    {"publish", "get the newest checkpoint cosigned by the configured witnesses",
     "constat publish [--dir DIR]\n"
     "constat publish add WITNESS_VKEY URL [--dir DIR]\n"
     "constat publish witnesses [--dir DIR] [--json]\n"
     "constat publish cosigned [--dir DIR]",
     "Without a subcommand: signs a checkpoint if needed and sends it with a consistency proof\n"
     "to every configured witness, one line per witness (cosigned, already cosigned, FAILED).",
     {{"add WITNESS_VKEY URL", "configure a witness: its vkey and submission prefix (http(s))"},
      {"witnesses", "list the configured witnesses with the size each cosigned"},
      {"cosigned", "print the newest checkpoint with the stored cosignature lines"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat publish add witness.example.org+1234abcd+BA... https://witness.example.org/\n"
     "  constat publish",
     EXIT_OK EXIT_VERIFY "   (a witness's cosignature does not verify)\n" EXIT_USAGE
         "3  I/O error, a witness unreachable, or the vault keys cannot be opened\n"
         "   (several witnesses failing: the first failure's code)\n",
     NULL},

    {"serve", "run the organisation's HTTP server: JSON API, witness, tiles",
     "constat serve --listen IPV4:PORT [--tls-cert FILE --tls-key FILE] [--dir DIR]\n"
     "        [--threads N] [--queue N] [--batch N] [--window-us N] [--port-file FILE]\n"
     "        [--session-idle S] [--session-max S] [--client-timeout S] [--taxonomy FILE]\n"
     "constat serve --routes",
     "Serves the vault over HTTP (docs/api.md): the JSON API under /api/v1/ for accounts\n"
     "(constat user), monitors enrolled by code (constat monitor invite) who submit records\n"
     "signed by their own keys, the witness endpoint /add-checkpoint (when the vault has a\n"
     "witness key) and the read-only C2SP /checkpoint and /tile/... Plain HTTP is for\n"
     "loopback or behind a TLS reverse proxy; --tls-cert/--tls-key serve HTTPS directly.\n"
     "At / it serves the monitors' phone app, at /review.html the page of coordinators and\n"
     "auditors, both carried in the program (docs/field-app.md).\n"
     "Submissions are appended in batches, one durable commit and one checkpoint a batch;\n"
     "a full queue answers 503 with Retry-After. Stops on SIGINT or SIGTERM.",
     {{"--listen IPV4:PORT", "address and port (port 0: any free port)"},
      {"--tls-cert FILE", "PEM certificate (with --tls-key): serve HTTPS, cookies Secure"},
      {"--tls-key FILE", "PEM private key of the certificate"},
      {"--threads N", "HTTP pool threads, 1..64 (default: one a core)"},
      {"--queue N", "submissions that may wait (default 1024; 0 refuses all with 503)"},
      {"--batch N", "most submissions in one commit (default 256)"},
      {"--window-us N", "how long a batch waits for more, in microseconds (default 2000)"},
      {"--port-file FILE", "write the port listened on to FILE"},
      {"--session-idle S", "a session unused this many seconds ends (default 1800)"},
      {"--session-max S", "a session ends this many seconds after login (default 43200)"},
      {"--client-timeout S", "an idle or slow connection is closed after S seconds (default 15)"},
      {"--routes", "print the routes served, one \"METHOD PATH\" a line, and exit"},
      OPT_TAXONOMY, OPT_DIR, OPT_HELP},
     "constat serve --listen 127.0.0.1:8080 --dir vault",
     EXIT_OK EXIT_USAGE EXIT_IO "   (also: the address cannot be listened on)\n", NULL},

    {"user", "manage the accounts of constat serve",
     "constat user add NAME --role coordinator|monitor|auditor [--dir DIR]\n"
     "constat user list [--dir DIR] [--json]\n"
     "constat user disable|enable NAME [--dir DIR]\n"
     "constat user passwd NAME [--dir DIR]",
     "Accounts live in the vault; passwords are hashed with Argon2id. The password comes from\n"
     "$CONSTAT_USER_PASSWORD, else it is asked twice on the terminal. A disabled account\n"
     "loses its sessions at its next request. Monitors usually get their account by\n"
     "enrolling with a code (constat monitor invite). Every change is written to the audit\n"
     "table (constat audit).",
     {{"add NAME", "add an account with --role"},
      {"--role ROLE", "coordinator (accounts, enrolment, reports), monitor (submits), auditor\n"
                      "(read-only: log, proofs, verification, audit)"},
      {"list", "name, role, state and creation time of every account"},
      {"disable NAME", "refuse the account's logins and end its sessions"},
      {"enable NAME", "allow a disabled account again"},
      {"passwd NAME", "set a new password"},
      OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "CONSTAT_USER_PASSWORD=... constat user add sam --role auditor\n  constat user disable sam",
     EXIT_OK EXIT_USAGE "   (also: no password, an account that exists or does not)\n" EXIT_IO,
     NULL},

    {"audit", "list the audit table: who did what, when, from where",
     "constat audit [--dir DIR] [--json]",
     "One line per action, oldest first: id, time (UTC), account, address (\"cli\" for the\n"
     "command line), action (login, login_failed, login_throttled, logout, enrol,\n"
     "enrol_refused, invite, record, record_replayed, evidence_upload, denied, disable,\n"
     "enable, passwd, account_add, export) and detail.",
     {OPT_DIR, OPT_JSON_LIST, OPT_HELP},
     "constat audit --json",
     EXIT_OK EXIT_USAGE EXIT_IO, NULL},

    {"submit", "the client of constat serve: enrol a device key, submit records and evidence",
     "constat submit enrol --server URL --key FILE --name NAME --code CODE [--org-key VKEY]\n"
     "constat submit record --server URL --key FILE [--json] RECORD.json\n"
     "constat submit evidence --server URL --key FILE --incident ID [--json] FILE",
     "enrol: makes an Ed25519 key pair, writes it to FILE (0600; refused if FILE exists) with\n"
     "the organisation and log keys the server gives (or checks them against --org-key), and\n"
     "enrols its public key with the one-time code; the password chosen for the account comes\n"
     "from $CONSTAT_USER_PASSWORD or is asked twice. record: logs in, sends the record with\n"
     "its private fields and person identifiers sealed to the organisation key, checks the\n"
     "record the server prepared says what was sent, signs it with the device key, submits\n"
     "it and verifies the receipt offline against the pinned log key. evidence: uploads FILE,\n"
     "checks the server stored its SHA-256, and submits the evidence record of incident ID.",
     {{"--server URL", "the server, e.g. http://127.0.0.1:8080"},
      {"--key FILE", "the device key file (written by enrol, read by record and evidence)"},
      {"--name NAME", "enrol: the monitor name the code was issued for"},
      {"--code CODE", "enrol: the one-time enrolment code (constat monitor invite)"},
      {"--org-key VKEY", "enrol: the organisation key to expect (else the server's is pinned)"},
      {"--incident ID", "evidence: the incident the file documents"},
      {"--json", "print the receipt as JSON (as constat record --json)"},
      OPT_HELP},
     "constat submit enrol --server http://127.0.0.1:8080 --key amina.key --name amina \\\n"
     "    --code ABCD...\n  constat submit record --server http://127.0.0.1:8080 --key amina.key "
     "r.json",
     EXIT_OK EXIT_VERIFY "   (the receipt or the prepared record does not check out)\n" EXIT_USAGE
         "   (also: the server refused with a 4xx status)\n"
         "3  I/O error, the server unreachable or answering 5xx or 429\n",
     NULL},

    {"help", "show the commands, or one command's help", "constat help [COMMAND]",
     "Without COMMAND: the list of commands. With it: that command's help, as\n"
     "`constat COMMAND --help` prints it. `constat help record` explains every record field.",
     {{"COMMAND", "one of the commands listed by constat help"}, OPT_HELP},
     "constat help record", EXIT_OK "2  no such command\n", NULL},

    {"simulate", "write a synthetic vault for tests and benchmarks",
     "constat simulate --records N --seed S --dir VAULT [--taxonomy FILE]",
     "Creates VAULT (absent or empty; keys not sealed) with N synthetic records drawn from\n"
     "the real incidents in France of data/demo/incidents_public.csv: categories, places\n"
     "(moved by up to 300 m), forces, items and minors of a real incident, on a day of\n"
     "2018-2024 (with --fit-published each year at the rate of the Calais eviction total\n"
     "published for it in data/demo/published_figures.csv, others at their mean) at an\n"
     "hour that suits its categories; recurring persons (pseudonyms drawn\n"
     "from the seed) in checks, arrests and transports; one record in ten a monitor's\n"
     "shift; four monitors; a checkpoint at the end. The same seed gives the same records\n"
     "and figures. Every record is marked synthetic (id SYN-..., summary [synthetic],\n"
     "origin synthetic.invalid/...): a synthetic vault refuses real records, a real vault\n"
     "refuses synthetic ones, and reports say SYNTHETIC DATA.",
     {{"--records N", "how many records (1 to 10,000,000)"},
      {"--seed S", "the generator's seed (an unsigned 64-bit integer)"},
      {"--fit-published", "draw each year at the rate published for it (see above)"},
      {"--dir VAULT", "the vault to create"},
      OPT_TAXONOMY, OPT_HELP},
     "constat simulate --records 100000 --seed 1 --dir /tmp/sim",
     EXIT_OK EXIT_USAGE "   (also: VAULT not empty)\n" EXIT_IO, NULL},

    {"version", "print the version", "constat version", "Prints \"constat VERSION\".",
     {OPT_HELP}, "constat version", EXIT_OK, NULL},
};
#define NHELP (sizeof help_table / sizeof help_table[0])

const cli_help *cli_help_find(const char *name)
{
    for (size_t i = 0; name && i < NHELP; i++)
        if (strcmp(help_table[i].name, name) == 0)
            return &help_table[i];
    return NULL;
}

int cli_help_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

/* Print `text` with every line after the first indented by `indent`. */
static void print_indented(FILE *f, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1])
            fprintf(f, "%*s", indent, "");
    }
}

void cli_help_print(const cli_help *h, FILE *f)
{
    fputs("Usage: ", f);
    print_indented(f, h->usage, 7);
    /* the summary as a sentence: capital first letter, final period */
    fprintf(f, "\n\n%c%s.\n", toupper((unsigned char)h->summary[0]), h->summary + 1);
    if (h->description)
        fprintf(f, "%s\n", h->description);
    fputs("\nOptions and arguments:\n", f);
    for (size_t i = 0; i < CLI_HELP_MAX_OPTIONS && h->options[i].flag; i++) {
        const cli_help_option *o = &h->options[i];
        if (strlen(o->flag) > 22)
            fprintf(f, "  %s\n%*s", o->flag, 25, "");
        else
            fprintf(f, "  %-22s ", o->flag);
        print_indented(f, o->text, 25);
        fputc('\n', f);
    }
    fputs("\nExample:\n  ", f);
    print_indented(f, h->example, 0);
    fputs("\n\nExit codes:\n", f);
    fputs("  ", f);
    print_indented(f, h->exit_codes, 2);
    if (h->extra)
        fprintf(f, "\n%s\n", h->extra);
}

int cli_usage(const char *command)
{
    const cli_help *h = cli_help_find(command);
    if (!h) {
        fprintf(stderr, "constat: unknown command '%s' (see 'constat help')\n", cli_text(command));
        return CLI_EXIT_USAGE;
    }
    fputs("usage: ", stderr);
    print_indented(stderr, h->usage, 7);
    fprintf(stderr, "\n('constat %s --help' explains every option)\n", command);
    return CLI_EXIT_USAGE;
}
