/**
 * How each kind of dependency is dumped, restored and verified: POSIX shell run by the dependency's
 * own image (its client tools match its server), so the CronJob, `slipway backup run|list|restore`
 * and the drill all run the same lines. Every script reads its target from `DB_ADDRESS`
 * (`host:port`) and its files from `BACKUP_DIR`; it reports to Slipway by printing lines that start
 * with `slipway:` followed by one JSON object, which the commands read back from the pod's log.
 *
 * A backup is a directory `BACKUP_DIR/<id>` (id = UTC start time, `20261206T010000Z`) holding the
 * artifacts, `SHA256SUMS` and `manifest.json` (id, dependency, kind, started, finished, tool
 * version, each file's size and sha256). It is written under `.partial-<id>` and renamed when
 * complete, so a backup that died half-way is never listed or restored.
 */
import type { Dependency } from '../../spec/schema.js';

export type BackupKind = 'postgres' | 'mysql' | 'redis' | 'sqlite' | 'chromadb';

export interface BackupTool {
  /** Lines that write the artifacts into "$out". */
  dump: string;
  /** A command printing the dump tool's version. */
  version: string;
  /** Lines that load the backup in "$in" into the target at DB_ADDRESS (RESTORE_MODE=replace: the live one). */
  restore: string;
  /** Lines that check the restored target and print `slipway:{"verify":...}` lines; exit non-zero on failure. */
  verify: string;
}

/** `host` and `port` from DB_ADDRESS (`db.ns.svc:5432`). */
const ADDRESS = 'host=${DB_ADDRESS%:*}; port=${DB_ADDRESS##*:}';

const postgres: BackupTool = {
  // -Fc: the custom format pg_restore reads selectively; the globals (roles, without their passwords) apart.
  dump: `${ADDRESS}
pg_dump -h "$host" -p "$port" -d "$PGDATABASE" -Fc -f "$out/database.dump"
pg_dumpall -h "$host" -p "$port" -l "$PGDATABASE" --globals-only --no-role-passwords -f "$out/globals.sql"`,
  version: 'pg_dump --version',
  // One transaction: a restore that fails part-way leaves the target as it was.
  restore: `${ADDRESS}
pg_restore -h "$host" -p "$port" -d "$PGDATABASE" --clean --if-exists --no-owner --single-transaction --exit-on-error "$in/database.dump"`,
  verify: `${ADDRESS}
expected=$(pg_restore --list "$in/database.dump" | grep -c ' TABLE DATA ' || true)
psql -h "$host" -p "$port" -d "$PGDATABASE" -XAt -v ON_ERROR_STOP=1 -c "select format('%I.%I', table_schema, table_name) from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1" > "$work/tables"
n=0
while IFS= read -r t; do
  n=$((n + 1))
  printf "select 'slipway:' || json_build_object('verify', json_build_object('table', :'t', 'rows', count(*), 'checksum', md5(coalesce(string_agg(md5(x::text), '' order by md5(x::text)), ''))))::text from %s x\\n" "$t" |
    psql -h "$host" -p "$port" -d "$PGDATABASE" -XAt -v ON_ERROR_STOP=1 -v t="$t"
done < "$work/tables"
echo "slipway:{\\"verify\\":{\\"tables\\":$n,\\"expected\\":$expected}}"
[ "$n" -ge "$expected" ] || { echo "restored $n tables; the dump holds data for $expected" >&2; exit 5; }`,
};

const mysql: BackupTool = {
  dump: `${ADDRESS}
mysqldump -h "$host" -P "$port" -u "$MYSQL_USER" --single-transaction --routines --triggers --no-tablespaces "$MYSQL_DATABASE" > "$out/database.sql"`,
  version: 'mysqldump --version',
  restore: `${ADDRESS}
mysql -h "$host" -P "$port" -u "$MYSQL_USER" "$MYSQL_DATABASE" < "$in/database.sql"`,
  verify: `${ADDRESS}
expected=$(grep -c '^CREATE TABLE' "$in/database.sql" || true)
mysql -h "$host" -P "$port" -u "$MYSQL_USER" -N -B -e "select table_name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE' order by 1" "$MYSQL_DATABASE" > "$work/tables"
n=0
while IFS= read -r t; do
  n=$((n + 1))
  q=$(printf '%s' "$t" | sed 's/\`/\`\`/g')
  rows=$(mysql -h "$host" -P "$port" -u "$MYSQL_USER" -N -B -e "select count(*) from \\\`$q\\\`" "$MYSQL_DATABASE")
  sum=$(mysql -h "$host" -P "$port" -u "$MYSQL_USER" -N -B -e "checksum table \\\`$q\\\`" "$MYSQL_DATABASE" | cut -f2)
  name=$(printf '%s' "$t" | sed 's/["\\\\]/\\\\&/g')
  echo "slipway:{\\"verify\\":{\\"table\\":\\"$name\\",\\"rows\\":$rows,\\"checksum\\":\\"$sum\\"}}"
done < "$work/tables"
echo "slipway:{\\"verify\\":{\\"tables\\":$n,\\"expected\\":$expected}}"
[ "$n" -ge "$expected" ] || { echo "restored $n tables; the dump creates $expected" >&2; exit 5; }`,
};

/**
 * An RDB snapshot taken over the replication protocol (`redis-cli --rdb`). A snapshot can only be
 * loaded by a server at start-up, so the restore starts a private redis-server on a Unix socket
 * with the snapshot and MIGRATEs every key (COPY REPLACE, TTLs kept) to the target over the network.
 */
const redis: BackupTool = {
  dump: `${ADDRESS}
redis-cli -h "$host" -p "$port" --no-auth-warning --rdb "$out/dump.rdb" >&2`,
  version: 'redis-cli --version',
  restore: `${ADDRESS}
cp "$in/dump.rdb" "$work/dump.rdb"
local_cli() { env -u REDISCLI_AUTH redis-cli -s "$work/redis.sock" "$@"; }
redis-server --port 0 --unixsocket "$work/redis.sock" --unixsocketperm 700 --dir "$work" --dbfilename dump.rdb --appendonly no --save '' --daemonize yes --pidfile "$work/redis.pid" --logfile "$work/redis.log"
trap 'local_cli shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
i=0
until local_cli ping >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 300 ] || { cat "$work/redis.log" >&2; exit 6; }; sleep 0.1
done
if [ "\${RESTORE_MODE:-}" = replace ]; then redis-cli -h "$host" -p "$port" --no-auth-warning flushall >/dev/null; fi
for db in $(local_cli info keyspace | sed -n 's/^db\\([0-9]*\\):.*/\\1/p'); do
  local_cli -n "$db" --scan | tr '\\n' '\\0' |
    xargs -0 -r -n 100 env -u REDISCLI_AUTH redis-cli -s "$work/redis.sock" -n "$db" migrate "$host" "$port" "" "$db" 10000 COPY REPLACE AUTH "$REDISCLI_AUTH" KEYS > "$work/migrated"
  if grep -v -x -e OK -e NOKEY "$work/migrated" >&2; then echo "MIGRATE to $DB_ADDRESS failed" >&2; exit 6; fi
done`,
  verify: `${ADDRESS}
total=0; expected=0
for db in $(local_cli info keyspace | sed -n 's/^db\\([0-9]*\\):.*/\\1/p'); do
  want=$(local_cli -n "$db" dbsize)
  got=$(redis-cli -h "$host" -p "$port" --no-auth-warning -n "$db" dbsize)
  echo "slipway:{\\"verify\\":{\\"db\\":$db,\\"keys\\":$got,\\"expected\\":$want}}"
  total=$((total + got)); expected=$((expected + want))
done
echo "slipway:{\\"verify\\":{\\"keys\\":$total,\\"expected\\":$expected}}"
[ "$total" -ge "$expected" ] || { echo "restored $total keys; the snapshot holds $expected" >&2; exit 5; }`,
};

/**
 * SQLite's online backup API (`.backup`), never a copy of the live file: it copies a consistent
 * snapshot while the service keeps writing. The copy must pass `PRAGMA integrity_check`.
 */
const sqlite: BackupTool = {
  dump: `sqlite3 "$DATABASE_PATH" ".timeout 10000" ".backup '$out/database.sqlite'"
check=$(sqlite3 "$out/database.sqlite" 'PRAGMA integrity_check')
[ "$check" = ok ] || { echo "the copy fails PRAGMA integrity_check: $check" >&2; exit 4; }`,
  version: 'sqlite3 --version',
  // A file database restores by copying: into the scratch directory for a drill, over the service's file (stopped) in place.
  restore: `target="\${RESTORE_PATH:-$work/restored.sqlite}"
rm -f "$target-wal" "$target-shm" "$target-journal"
cp "$in/database.sqlite" "$target.restoring" && mv "$target.restoring" "$target"`,
  verify: `target="\${RESTORE_PATH:-$work/restored.sqlite}"
${sqliteChecks('$target')}`,
};

/** `PRAGMA integrity_check`, rows per table and `.sha3sum` of the SQLite file at `file`. */
function sqliteChecks(file: string): string {
  return `check=$(sqlite3 "${file}" 'PRAGMA integrity_check')
echo "slipway:{\\"verify\\":{\\"integrity_check\\":\\"$(printf '%s' "$check" | head -n 1 | sed 's/["\\\\]/\\\\&/g')\\"}}"
[ "$check" = ok ] || { echo "PRAGMA integrity_check: $check" >&2; exit 5; }
sqlite3 "${file}" "select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' order by 1" > "$work/tables"
n=0
while IFS= read -r t; do
  n=$((n + 1))
  q=$(printf '%s' "$t" | sed 's/"/""/g')
  sqlite3 "${file}" "select 'slipway:' || json_object('verify', json_object('table', '$(printf '%s' "$t" | sed "s/'/''/g")', 'rows', count(*))) from \\"$q\\""
done < "$work/tables"
echo "slipway:{\\"verify\\":{\\"tables\\":$n,\\"sha3\\":\\"$(sqlite3 "${file}" .sha3sum)\\"}}"`;
}

/**
 * ChromaDB's data directory (the chroma.sqlite3 catalogue and the index segments) is consistent only
 * while no server writes it, so the commands stop its StatefulSet first (backup.ts) and start it
 * again after: the archive is then a plain copy of files at rest. The catalogue in the copy must pass
 * `PRAGMA integrity_check`; a restore must hold every file the archive holds.
 */
const chromadb: BackupTool = {
  dump: `tar -C "$DATA_DIR" -cf "$out/data.tar" .
mkdir "$work/check"
tar -xf "$out/data.tar" -C "$work/check"
if [ -f "$work/check/chroma.sqlite3" ]; then
  check=$(sqlite3 "$work/check/chroma.sqlite3" 'PRAGMA integrity_check')
  [ "$check" = ok ] || { echo "the copy's chroma.sqlite3 fails PRAGMA integrity_check: $check" >&2; exit 4; }
fi`,
  version: `echo "tar; sqlite3 $(sqlite3 --version | cut -d ' ' -f 1)"`,
  restore: `target="\${RESTORE_PATH:-$work/restored}"
mkdir -p "$target"
find "$target" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
tar -xf "$in/data.tar" -C "$target"`,
  verify: `target="\${RESTORE_PATH:-$work/restored}"
expected=$(tar -tf "$in/data.tar" | grep -c -v '/$' || true)
files=$(find "$target" -type f | wc -l | tr -d ' ')
echo "slipway:{\\"verify\\":{\\"files\\":$files,\\"expected\\":$expected}}"
[ "$files" -ge "$expected" ] || { echo "restored $files files; the archive holds $expected" >&2; exit 5; }
if [ -f "$target/chroma.sqlite3" ]; then
${sqliteChecks('$target/chroma.sqlite3')}
fi`,
};

const TOOLS: Record<BackupKind, BackupTool> = { postgres, mysql, redis, sqlite, chromadb };

/** The kinds Slipway backs up; kafka is refused by validate. */
export function backupKind(dependency: Dependency): BackupKind | undefined {
  return dependency.type in TOOLS ? (dependency.type as BackupKind) : undefined;
}

export function backupTool(kind: BackupKind): BackupTool {
  return TOOLS[kind];
}

const ID = "'^[0-9]\\{8\\}T[0-9]\\{6\\}Z$'";
const LIST_IDS = `ls -1 "$BACKUP_DIR" | grep -e ${ID} | sort`;

/** The CronJob's script: dump into a partial directory, checksum, manifest, rename, retention. */
export function backupScript(kind: BackupKind): string {
  const tool = TOOLS[kind];
  return `set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
id=$(date -u +%Y%m%dT%H%M%SZ)
while [ -e "$BACKUP_DIR/$id" ]; do sleep 1; id=$(date -u +%Y%m%dT%H%M%SZ); done
rm -rf "$BACKUP_DIR"/.partial-*
out="$BACKUP_DIR/.partial-$id"
mkdir -p "$out"
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
${tool.dump}
finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)
tool=$(${tool.version} | head -n 1 | tr -d '"\\\\')
files=""
for f in "$out"/*; do
  name=$(basename "$f"); size=$(wc -c < "$f" | tr -d ' '); sum=$(sha256sum "$f" | cut -d ' ' -f 1)
  files="$files\${files:+,}{\\"name\\":\\"$name\\",\\"size\\":$size,\\"sha256\\":\\"$sum\\"}"
done
(cd "$out" && sha256sum * > SHA256SUMS)
printf '{"id":"%s","dependency":"%s","kind":"%s","started":"%s","finished":"%s","tool":"%s","files":[%s]}\\n' "$id" "$DEPENDENCY" "${kind}" "$started" "$finished" "$tool" "$files" > "$out/manifest.json"
mv "$out" "$BACKUP_DIR/$id"
${LIST_IDS} -r | tail -n +$((KEEP + 1)) | while IFS= read -r old; do
  rm -rf "\${BACKUP_DIR:?}/$old"
  echo "slipway:{\\"deleted\\":\\"$old\\"}"
done
echo "slipway:{\\"backup\\":$(cat "$BACKUP_DIR/$id/manifest.json")}"`;
}

/** Every complete backup's manifest, oldest first. */
export function listScript(): string {
  return `set -eu
for id in $(${LIST_IDS}); do
  [ -f "$BACKUP_DIR/$id/manifest.json" ] && echo "slipway:{\\"backup\\":$(cat "$BACKUP_DIR/$id/manifest.json")}"
done
echo 'slipway:{"listed":true}'`;
}

/**
 * Restore BACKUP_ID (`latest`: the newest) into the target at DB_ADDRESS after checking every file
 * against its sha256, then verify the target and run VERIFY_COMMAND when the spec gives one.
 */
export function restoreScript(kind: BackupKind): string {
  const tool = TOOLS[kind];
  return `set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
id="$BACKUP_ID"
[ "$id" != latest ] || id=$(${LIST_IDS} | tail -n 1)
[ -n "$id" ] || { echo "no backup in $BACKUP_DIR: run slipway backup run first" >&2; exit 3; }
in="$BACKUP_DIR/$id"
[ -f "$in/manifest.json" ] || { echo "no backup $id in $BACKUP_DIR" >&2; exit 3; }
echo "slipway:{\\"restoring\\":$(cat "$in/manifest.json")}"
(cd "$in" && sha256sum -c SHA256SUMS >&2) || { echo "backup $id: a file does not match its sha256" >&2; exit 4; }
echo 'slipway:{"integrity":"ok"}'
${tool.restore}
echo "slipway:{\\"restored\\":\\"$id\\"}"
${tool.verify}
if [ -n "\${VERIFY_COMMAND:-}" ]; then
  sh -c "$VERIFY_COMMAND" >&2 || { echo "the spec's verify command failed" >&2; exit 5; }
  echo 'slipway:{"verify":{"command":"ok"}}'
fi
echo 'slipway:{"verified":true}'`;
}

/**
 * Backups in object storage (`to: s3://...`), moved by rclone from its own image: the dump writes
 * into the pod's scratch directory as above, then the upload copies the backup to `$REMOTE/<id>/`
 * with `manifest.json` last, so a backup whose upload died half-way has no manifest and is never
 * listed or restored (and is removed by the next upload). Retention counts complete backups only.
 */
const COMPLETE_IDS = `rclone lsf -R --files-only --include '*/manifest.json' "$REMOTE" | sed 's#/manifest.json$##' | grep -e ${ID} | sort`;

/** After the dump: upload the newest backup in BACKUP_DIR, then apply `keep` to the bucket. */
export function uploadScript(): string {
  return `set -eu
id=$(${LIST_IDS} | tail -n 1)
[ -n "$id" ] || { echo "the dump left no backup in $BACKUP_DIR" >&2; exit 3; }
rclone copy "$BACKUP_DIR/$id" "$REMOTE/$id" --exclude manifest.json
rclone copyto "$BACKUP_DIR/$id/manifest.json" "$REMOTE/$id/manifest.json"
echo "slipway:{\\"uploaded\\":\\"$REMOTE_URL/$id\\"}"
complete=$(${COMPLETE_IDS})
rclone lsf --dirs-only "$REMOTE" | sed 's#/$##' | grep -e ${ID} | while IFS= read -r d; do
  if ! printf '%s\\n' "$complete" | grep -q -x -e "$d" && [ "$d" != "$id" ] && [ "$(printf '%s\\n%s\\n' "$d" "$id" | sort | head -n 1)" = "$d" ]; then
    rclone purge "$REMOTE/$d"
    echo "slipway:{\\"partial\\":\\"$d\\"}"
  fi
done
printf '%s\\n' "$complete" | sort -r | tail -n +$((KEEP + 1)) | while IFS= read -r old; do
  [ -n "$old" ] || continue
  rclone purge "$REMOTE/$old"
  echo "slipway:{\\"deleted\\":\\"$old\\"}"
done`;
}

/** Every complete backup's manifest in the bucket, oldest first. */
export function remoteListScript(): string {
  return `set -eu
for id in $(${COMPLETE_IDS}); do
  echo "slipway:{\\"backup\\":$(rclone cat "$REMOTE/$id/manifest.json" | tr -d '\\n')}"
done
echo 'slipway:{"listed":true}'`;
}

/** Before a restore: fetch BACKUP_ID (`latest`: the newest complete one) from the bucket into BACKUP_DIR. */
export function fetchScript(): string {
  return `set -eu
id="$BACKUP_ID"
[ "$id" != latest ] || id=$(${COMPLETE_IDS} | tail -n 1)
[ -n "$id" ] || { echo "no backup in $REMOTE_URL: run slipway backup run first" >&2; exit 3; }
rclone lsf "$REMOTE/$id/manifest.json" >/dev/null 2>&1 || { echo "no backup $id in $REMOTE_URL" >&2; exit 3; }
rclone copy "$REMOTE/$id" "$BACKUP_DIR/$id"
echo "slipway:{\\"fetched\\":\\"$REMOTE_URL/$id\\"}"`;
}
