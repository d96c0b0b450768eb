// Fills an XForm in ODK's own form engine (@getodk/xforms-engine, the engine of ODK Web Forms) under jsdom.
//
// Usage: node fill.mjs FORM.xml MEDIA_DIR
// Form attachments (jr://file-csv/NAME.csv, ...) are read from MEDIA_DIR. Protocol: one JSON request per stdin
// line, one JSON reply per stdout line ({"ok": true, "result": ...} or {"ok": false, "error": "..."}); the
// first line written is {"ok": true, "result": {"ready": ...}} once the form is loaded. Requests:
//   {"op": "open"}                                   new instance -> {"instance": id, "languages", "language"}
//   {"op": "set", "instance", "path", "value"}       answer a question (select_multiple: a list) -> node state
//   {"op": "state", "instance", "path"}              node state (see nodeState)
//   {"op": "language", "instance", "language"}       switch the active language
//   {"op": "submit", "instance"}                     payload status, violations and the instance XML
// Paths are relative to the instance root, as in a submission: "household/hh_size", "child[2]/age".
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
for (const name of ['DOMParser', 'XMLSerializer', 'Node', 'document']) {
	globalThis[name] = window[name];
}
// The engine's bundled XPath parser (web-tree-sitter) reads __dirname when it detects Node.
globalThis.__dirname = path.dirname(fileURLToPath(import.meta.url));
const { loadForm } = await import('@getodk/xforms-engine');

const CONTENT_TYPES = { '.csv': 'text/csv', '.xml': 'text/xml', '.geojson': 'application/geo+json' };

const [formPath, mediaDir] = process.argv.slice(2);
const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

const fetchFormAttachment = async (url) => {
	const name = path.basename(new URL(url.href).pathname);
	try {
		const body = await readFile(path.join(mediaDir, name));
		return new Response(body, { headers: { 'content-type': CONTENT_TYPES[path.extname(name)] ?? '' } });
	} catch {
		return new Response(null, { status: 404 });
	}
};

const nodes = (node) => [node, ...(node.currentState.children ?? []).flatMap(nodes)];

const find = (root, relative) => {
	const reference = `${root.currentState.reference}/${relative}`;
	const node = nodes(root).find((candidate) => candidate.currentState.reference === reference);
	if (node == null) {
		throw new Error(`no node ${reference} (is it inside a repeat instance that does not exist?)`);
	}
	return node;
};

const violation = (item) =>
	item == null ? null : { condition: item.condition, message: item.message?.asString ?? null };

const nodeState = (node) => {
	const { currentState: state } = node;
	const result = {
		type: node.nodeType,
		relevant: state.relevant,
		required: state.required,
		label: state.label?.asString ?? null,
	};
	if (node.nodeType.startsWith('repeat-range')) {
		result.count = state.children.length;
	}
	if ('instanceValue' in state) {
		result.value = state.instanceValue;
		result.violation = violation(node.validationState.violation);
	}
	if (node.nodeType === 'select') {
		result.options = state.valueOptions.map((option) => option.value);
	}
	return result;
};

const setAnswer = (node, value) => {
	if (node.nodeType === 'select') {
		return Array.isArray(value) ? node.selectValues(value) : node.selectValue(value);
	}
	if (typeof node.setValue !== 'function') {
		throw new Error(`${node.currentState.reference} (${node.nodeType}) cannot be answered`);
	}
	return node.setValue(value);
};

const form = await loadForm(await readFile(formPath, 'utf8'), { fetchFormAttachment });
if (form.status === 'failure') {
	reply({ ok: false, error: `form did not load: ${form.error.message}` });
	process.exit(1);
}
const instances = [];

const handlers = {
	open() {
		const { root } = form.createInstance();
		instances.push(root);
		return {
			instance: instances.length - 1,
			languages: root.languages.map((language) => language.language),
			language: root.currentState.activeLanguage.language,
		};
	},
	set({ root, path: relative, value }) {
		const node = find(root, relative);
		setAnswer(node, value);
		return nodeState(node);
	},
	state({ root, path: relative }) {
		return nodeState(find(root, relative));
	},
	language({ root, language }) {
		const match = root.languages.find((candidate) => candidate.language === language);
		if (match == null) {
			throw new Error(`no language ${language}`);
		}
		root.setLanguage(match);
		return root.currentState.activeLanguage.language;
	},
	async submit({ root }) {
		const payload = await root.prepareInstancePayload();
		return {
			status: payload.status,
			violations: (payload.violations ?? []).map((item) => ({
				reference: item.reference,
				...violation(item.violation),
			})),
			xml: root.instanceState.instanceXML,
		};
	},
};

reply({ ok: true, result: { ready: formPath } });
for await (const line of createInterface({ input: process.stdin })) {
	try {
		const request = JSON.parse(line);
		const handler = handlers[request.op];
		if (handler == null) {
			throw new Error(`unknown op ${request.op}`);
		}
		const root = request.instance == null ? null : instances[request.instance];
		if (request.instance != null && root == null) {
			throw new Error(`no instance ${request.instance}`);
		}
		reply({ ok: true, result: await handler({ ...request, root }) });
	} catch (error) {
		reply({ ok: false, error: String(error?.stack ?? error) });
	}
}
