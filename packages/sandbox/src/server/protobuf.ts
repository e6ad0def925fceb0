/**
 * Decoding of the few Kubernetes protobuf request bodies the sandbox must accept. client-go's typed
 * clients send `application/vnd.kubernetes.protobuf` for built-in kinds: helm stores its releases
 * as Secrets that way, and `kubectl create secret|configmap|namespace` do the same. The envelope is
 * the 4-byte magic `k8s\0` and a runtime.Unknown {typeMeta=1 {apiVersion=1, kind=2}, raw=2}; field
 * numbers below are those of k8s.io/api/core/v1 and apimachinery meta/v1 generated.proto.
 * Other kinds stay 415 (their messages are large and their generators rare).
 */
import { rfc3339 } from '@slipway/kube';
import { ApiError } from './status.js';

type Obj = Record<string, unknown>;

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface Field {
  no: number;
  wire: number;
  value: bigint | Buffer;
}

function readFields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ApiError(400, 'BadRequest', 'truncated protobuf varint');
      const b = buf[pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ no, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new ApiError(400, 'BadRequest', `unsupported protobuf wire type ${wire}`);
  }
  return out;
}

const str = (f: Field) => (f.value as Buffer).toString('utf8');
const int = (f: Field) => Number(BigInt.asIntN(64, f.value as bigint));

function mapEntry(f: Field, asBase64: boolean): [string, string] {
  let key = '';
  let value = '';
  for (const e of readFields(f.value as Buffer)) {
    if (e.no === 1) key = str(e);
    if (e.no === 2) value = asBase64 ? (e.value as Buffer).toString('base64') : str(e);
  }
  return [key, value];
}

function time(f: Field): string {
  let seconds = 0;
  for (const e of readFields(f.value as Buffer)) if (e.no === 1) seconds = int(e);
  return rfc3339(new Date(seconds * 1000));
}

function ownerReference(f: Field): Obj {
  const o: Obj = {};
  for (const e of readFields(f.value as Buffer)) {
    if (e.no === 1) o.kind = str(e);
    if (e.no === 3) o.name = str(e);
    if (e.no === 4) o.uid = str(e);
    if (e.no === 5) o.apiVersion = str(e);
    if (e.no === 6) o.controller = e.value === 1n;
    if (e.no === 7) o.blockOwnerDeletion = e.value === 1n;
  }
  return o;
}

function objectMeta(buf: Buffer): Obj {
  const m: Obj = {};
  const labels: Obj = {};
  const annotations: Obj = {};
  const owners: Obj[] = [];
  const finalizers: string[] = [];
  const names: Record<number, string> = {
    1: 'name',
    2: 'generateName',
    3: 'namespace',
    5: 'uid',
    6: 'resourceVersion',
  };
  for (const f of readFields(buf)) {
    // gogo-protobuf writes empty strings and zero times; JSON would omit them.
    if (names[f.no]) {
      if (str(f)) m[names[f.no] as string] = str(f);
    } else if (f.no === 7) m.generation = int(f);
    else if (f.no === 8) {
      if (time(f) !== '1970-01-01T00:00:00Z') m.creationTimestamp = time(f);
    } else if (f.no === 11) Object.assign(labels, Object.fromEntries([mapEntry(f, false)]));
    else if (f.no === 12) Object.assign(annotations, Object.fromEntries([mapEntry(f, false)]));
    else if (f.no === 13) owners.push(ownerReference(f));
    else if (f.no === 14) finalizers.push(str(f));
  }
  if (Object.keys(labels).length) m.labels = labels;
  if (Object.keys(annotations).length) m.annotations = annotations;
  if (owners.length) m.ownerReferences = owners;
  if (finalizers.length) m.finalizers = finalizers;
  return m;
}

/** Field number → how to read it into the JSON object, per supported kind. */
const KINDS: Record<string, (fields: Field[]) => Obj> = {
  Secret(fields) {
    const o: Obj = {};
    const data: Obj = {};
    const stringData: Obj = {};
    for (const f of fields) {
      if (f.no === 1) o.metadata = objectMeta(f.value as Buffer);
      else if (f.no === 2) Object.assign(data, Object.fromEntries([mapEntry(f, true)]));
      else if (f.no === 3 && str(f)) o.type = str(f);
      else if (f.no === 4) Object.assign(stringData, Object.fromEntries([mapEntry(f, false)]));
      else if (f.no === 5) o.immutable = f.value === 1n;
    }
    if (Object.keys(data).length) o.data = data;
    if (Object.keys(stringData).length) o.stringData = stringData;
    return o;
  },
  ConfigMap(fields) {
    const o: Obj = {};
    const data: Obj = {};
    const binaryData: Obj = {};
    for (const f of fields) {
      if (f.no === 1) o.metadata = objectMeta(f.value as Buffer);
      else if (f.no === 2) Object.assign(data, Object.fromEntries([mapEntry(f, false)]));
      else if (f.no === 3) Object.assign(binaryData, Object.fromEntries([mapEntry(f, true)]));
      else if (f.no === 4) o.immutable = f.value === 1n;
    }
    if (Object.keys(data).length) o.data = data;
    if (Object.keys(binaryData).length) o.binaryData = binaryData;
    return o;
  },
  Namespace(fields) {
    const o: Obj = {};
    for (const f of fields) {
      if (f.no === 1) o.metadata = objectMeta(f.value as Buffer);
      else if (f.no === 2)
        o.spec = {
          finalizers: readFields(f.value as Buffer)
            .filter((e) => e.no === 1)
            .map(str),
        };
    }
    return o;
  },
  DeleteOptions(fields) {
    const o: Obj = {};
    for (const f of fields) {
      if (f.no === 1) o.gracePeriodSeconds = int(f);
      else if (f.no === 2) {
        const pre: Obj = {};
        for (const e of readFields(f.value as Buffer)) {
          if (e.no === 1) pre.uid = str(e);
          if (e.no === 2) pre.resourceVersion = str(e);
        }
        o.preconditions = pre;
      } else if (f.no === 3) o.orphanDependents = f.value === 1n;
      else if (f.no === 4) o.propagationPolicy = str(f);
      else if (f.no === 5) o.dryRun = [...(Array.isArray(o.dryRun) ? o.dryRun : []), str(f)];
    }
    return o;
  },
};

export const PROTOBUF_KINDS = Object.keys(KINDS);

/** Decodes a `k8s\0`-enveloped protobuf body into the JSON object the rest of the server handles. */
export function decodeKubeProtobuf(body: Buffer): Obj {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw new ApiError(400, 'BadRequest', 'the protobuf body lacks the k8s envelope');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of readFields(body.subarray(4))) {
    if (f.no === 1) {
      for (const t of readFields(f.value as Buffer)) {
        if (t.no === 1) apiVersion = str(t);
        if (t.no === 2) kind = str(t);
      }
    } else if (f.no === 2) raw = f.value as Buffer;
  }
  const decode = KINDS[kind];
  if (!decode) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the slipway sandbox decodes protobuf bodies only for ${PROTOBUF_KINDS.join(', ')}, not ${kind || 'this kind'}: use "kubectl create -f" or "kubectl apply -f" with a manifest (the imperative "kubectl create deployment|job|..." generators send protobuf)`,
    );
  }
  const obj = decode(readFields(raw));
  return kind === 'DeleteOptions' ? obj : { apiVersion, kind, ...obj };
}
