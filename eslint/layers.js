// Loopstage's layering rule, after VS Code's `code-layering`: the folder a file lives in says what it
// may import. Each import is resolved to the folder (layer) it reaches, or to the package it names,
// and checked against the table below. See DESIGN.md §1.
import { builtinModules } from 'node:module';
import path from 'node:path';

const NATIVE = new Set(['naudiodon2', 'sqlite3', '@julusian/midi']);
const BUILTIN = new Set(builtinModules);

/** layer → what it may import: other layers, Node built-ins, and npm packages. */
export const LAYERS = {
  core: { layers: ['core'], node: false, packages: [] },
  engine: { layers: ['core', 'engine'], node: false, packages: [] },
  api: { layers: ['core', 'api'], node: false, packages: ['zod'] },
  ui: { layers: ['core', 'api', 'ui'], node: false, packages: ['svelte', 'zod', 'video.js', 'virtua'] },
  adapters: { layers: ['core', 'engine', 'adapters'], node: true, packages: '*', native: true },
  host: { layers: ['core', 'engine', 'adapters', 'api', 'host'], node: true, packages: [] },
  server: { layers: ['core', 'engine', 'adapters', 'api', 'host', 'server'], node: true, packages: ['ws'] },
  cli: { layers: ['core', 'engine', 'adapters', 'api', 'host', 'server', 'cli'], node: true, packages: [] },
  electron: { layers: ['core', 'engine', 'adapters', 'api', 'host', 'server', 'electron'], node: true, packages: ['electron'] },
};

function layerOf(file, root) {
  const relative = path.relative(root, file).split(path.sep);
  if (relative[0] === 'src' && relative[1] in LAYERS) return relative[1];
  if (relative[0] === 'electron') return 'electron';
  return null;
}

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce which layers, built-ins and packages each folder may import (DESIGN.md §1).' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      layer: '{{from}} may not import {{to}} ({{specifier}}): dependencies point inward (DESIGN.md §1).',
      node: '{{from}} may not use Node built-ins ({{specifier}}): it must run anywhere (DESIGN.md §1).',
      native: 'Native module {{specifier}} may load only in src/adapters.',
      package: '{{from}} may not import the package {{specifier}}; allowed: {{allowed}}.',
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = context.filename;
    const from = layerOf(file, root);
    if (!from) return {};
    const rules = LAYERS[from];
    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = layerOf(path.resolve(path.dirname(file), specifier), root);
        if (target && !rules.layers.includes(target)) {
          context.report({ node, messageId: 'layer', data: { from: `src/${from}`, to: target, specifier } });
        } else if (!target && !specifier.endsWith('.css')) {
          context.report({ node, messageId: 'layer', data: { from: `src/${from}`, to: 'a file outside the layers', specifier } });
        }
        return;
      }
      const name = packageName(specifier);
      if (specifier.startsWith('node:') || BUILTIN.has(name)) {
        if (!rules.node) context.report({ node, messageId: 'node', data: { from: `src/${from}`, specifier } });
        return;
      }
      if (NATIVE.has(name)) {
        if (!rules.native) context.report({ node, messageId: 'native', data: { specifier } });
        return;
      }
      if (rules.packages !== '*' && !rules.packages.includes(name)) {
        context.report({ node, messageId: 'package', data: { from: `src/${from}`, specifier, allowed: rules.packages.join(', ') || 'none' } });
      }
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        // createRequire(...)('x') and require('x') count as imports too.
        if (node.arguments[0]?.type === 'Literal' && (node.callee.type === 'CallExpression' || (node.callee.type === 'Identifier' && node.callee.name === 'require'))) {
          check(node, node.arguments[0].value);
        }
      },
    };
  },
};
