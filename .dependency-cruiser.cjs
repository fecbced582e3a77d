// `npm run lint` checks the shape of src/: no import cycle (type-only imports included), and no folder imports one above it.
// Lowest first: a folder may import only from folders before it in this list (and from itself).
const LAYERS = ['session', 'utils', 'charter', 'sandbox', 'workspace', 'guard', 'spawner', 'pool', 'recovery', 'files', 'store', 'fleet', 'api', 'daemon', 'testing', 'cli'];

const upward = LAYERS.map((layer, i) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only from ${LAYERS.slice(0, i).join(', ') || 'nothing else in src'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(?!(${LAYERS.slice(0, i + 1).join('|')})/)` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/index\\.ts$' },
  },
};
