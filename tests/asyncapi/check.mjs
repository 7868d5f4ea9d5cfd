// Checks docs/asyncapi.yaml with @asyncapi/parser: it parses without
// errors, and the payload of each message that references a schema in
// schema/ is that file's content (compared after parsing, external $refs
// resolved from schema/external/ since tests run without network).
// Usage: node check.mjs NODE_MODULES_DIR; exit 0 when every check holds.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const modules = process.argv[2];
const parserEntry = path.join(modules, '@asyncapi', 'parser', 'cjs', 'index.js');
const { Parser, fromFile } = await import(pathToFileURL(parserEntry).href);

// Public schemas newsd's schemas refer to, by URL.
const external = {
  'http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json':
    path.join(root, 'schema', 'external', 'ninjs-schema_3.1.json'),
};
let passed = 0, failed = 0;
function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (ok) passed++; else failed++;
}

const offline = {
  schema: 'http', order: 1, canRead: true,
  read: async (uri) => {
    const file = external[uri.toString().replace(/#.*$/, '')];
    if (!file) throw new Error('no local copy of ' + uri.toString());
    return fs.readFileSync(file, 'utf8');
  },
};
const parser = new Parser({ __unstable: { resolver: { resolvers: [offline] } } });
const doc = path.join(root, 'docs', 'asyncapi.yaml');
const { document, diagnostics } = await fromFile(parser, doc).parse();
const errors = diagnostics.filter((d) => d.severity === 0);
for (const e of errors) console.log('# ' + e.code + ': ' + e.message + ' at ' + JSON.stringify(e.path));
check(document !== undefined && errors.length === 0, 'docs/asyncapi.yaml parses without errors');
if (!document) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}
check(document.version().startsWith('2.6') || document.version().startsWith('3.'),
      'AsyncAPI version ' + document.version());

// The parser's own annotations are not part of the schemas.
function strip(v) {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const o = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('x-parser-')) o[k] = strip(x);
    return o;
  }
  return v;
}
// Compares a parsed payload with a schema file, member by member. Where
// the file refers to an external schema (ninjs), the parser has inlined
// that schema with its own internal references dereferenced, so there the
// parsed node must be an object schema with the referenced document's
// top-level properties.
function externalProps(url) {
  const ext = JSON.parse(fs.readFileSync(external[url.replace(/#.*$/, '')], 'utf8'));
  const root = ext.$ref && ext.$ref.startsWith('#/$defs/')
    ? ext.$defs[ext.$ref.slice(8)] : ext;
  return Object.keys(root.properties || {}).sort();
}
function sameSchema(got, want, where, diffs) {
  if (want && typeof want === 'object' && !Array.isArray(want) &&
      typeof want.$ref === 'string' && /^https?:/.test(want.$ref)) {
    const keys = got && got.properties ? Object.keys(got.properties).sort() : [];
    if (JSON.stringify(keys) !== JSON.stringify(externalProps(want.$ref)))
      diffs.push(where + ' is not ' + want.$ref);
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) { diffs.push(where); return; }
    want.forEach((w, i) => sameSchema(got[i], w, where + '/' + i, diffs));
    return;
  }
  if (want && typeof want === 'object') {
    if (!got || typeof got !== 'object') { diffs.push(where); return; }
    const gk = Object.keys(got).sort(), wk = Object.keys(want).sort();
    if (JSON.stringify(gk) !== JSON.stringify(wk)) { diffs.push(where + ' members ' + gk + ' vs ' + wk); return; }
    for (const k of wk) sameSchema(got[k], want[k], where + '/' + k, diffs);
    return;
  }
  if (got !== want) diffs.push(where + ': ' + JSON.stringify(got) + ' vs ' + JSON.stringify(want));
}
const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

// Which message carries which schema file, as the YAML says.
const yaml = fs.readFileSync(doc, 'utf8');
const refs = [...yaml.matchAll(/\$ref:\s*'\.\.\/schema\/([^']+)'/g)].map((m) => m[1]);
const files = fs.readdirSync(path.join(root, 'schema')).filter((f) => f.endsWith('.json'));
check(same(new Set(refs), files),
      'the payloads reference every schema in schema/ (' + files.join(', ') + ')');
const wanted = { event: 'newsd-event.schema.json', entity: 'newsd-entity.schema.json' };
const byName = {};
for (const m of document.allMessages()) byName[m.name()] = m;
for (const [name, file] of Object.entries(wanted)) {
  const m = byName[name];
  check(m !== undefined, `message ${name} exists`);
  if (!m) continue;
  const fromFileJson = JSON.parse(fs.readFileSync(path.join(root, 'schema', file), 'utf8'));
  const diffs = [];
  sameSchema(strip(m.payload().json()), fromFileJson, '', diffs);
  for (const d of diffs.slice(0, 5)) console.log('# ' + d);
  check(diffs.length === 0, `the ${name} payload is schema/${file}`);
  check(m.bindings().has('kafka') && m.bindings().get('kafka').json().key !== undefined,
        `the ${name} message says its Kafka key`);
}
for (const ch of ['news.raw', 'news.enriched', '{routeTopic}', 'news.entities', 'news.dlq'])
  check(document.channels().has(ch), `channel ${ch} described`);
const dl = byName.deadLetter;
const dlh = dl && dl.headers() ? dl.headers().json() : {};
check(['newsd-error-code', 'newsd-error-message', 'newsd-source-topic',
       'newsd-source-partition', 'newsd-source-offset'].every((h) => dlh.properties && h in dlh.properties),
      'the dead-letter headers are described');
const evh = byName.event && byName.event.headers() ? byName.event.headers().json() : {};
check(['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_subject', 'ce_time'].every((h) => evh.properties && h in evh.properties),
      'the CloudEvents headers are described');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
