// The import rules that keep Shoal's layout true (`npm run boundaries`; npm test runs it).
// Each rule states one line of the architecture; a violation names the rule, the importing file and
// the imported one. Type-only imports count: a type from a process's internals is still a coupling.
// test/unit/architecture/boundaries.test.ts proves each rule fails on a violating import.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'games-only-game-api-and-shared',
      comment:
        'A game sees the server only through server/game-api (Room, RoomContext, World) and the ' +
        'wire types in shared/; never a process role (primary, worker, coordinator), so games can be ' +
        'written, tested and run without knowing which process hosts them.',
      severity: 'error',
      from: { path: '^server/games/' },
      to: { path: '^(server|client-sim|loadtest|test|web)/', pathNot: '^server/(games|game-api)/' },
    },
    {
      name: 'games-not-each-other',
      comment: 'One game does not import another game; what they share belongs in game-api or shared/.',
      severity: 'error',
      from: { path: '^server/games/([^/]+)/' },
      to: { path: '^server/games/[^/]+/', pathNot: '^server/games/$1/' },
    },
    {
      name: 'game-api-is-a-leaf',
      comment:
        'server/game-api is the contract between the server and the games: it imports only shared/ ' +
        '(and itself), nothing from a process role and nothing from a game.',
      severity: 'error',
      from: { path: '^server/game-api/' },
      to: { path: '^(server|client-sim|loadtest|test|web)/', pathNot: '^server/game-api/' },
    },
    {
      name: 'shared-imports-no-app-code',
      comment:
        'shared/ is what the server, the client library, the tools and the browser client have in ' +
        'common: it depends on none of them.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(server|client-sim|loadtest|test|web)/' },
    },
    {
      name: 'tools-not-server-internals',
      comment:
        'client-sim/ and loadtest/ measure the server from outside, as a client would: they import ' +
        'shared/ (protocol, client library, channel) and start the built server as a process, never ' +
        'import its code.',
      severity: 'error',
      from: { path: '^(client-sim|loadtest)/' },
      to: { path: '^(server|test|web)/' },
    },
    {
      name: 'console-not-primary-or-worker',
      comment:
        'The operator console talks to the running server through its narrow host interface (and ' +
        'shared/ wire types), not by importing the primary or worker internals it controls.',
      severity: 'error',
      from: { path: '^server/console/' },
      to: { path: '^server/(primary|worker)/' },
    },
    {
      name: 'server-not-tools',
      comment: 'The server does not import the tools that measure it (client-sim/, loadtest/) or the browser client (web/).',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(client-sim|loadtest|web)/' },
    },
    {
      name: 'production-not-tests',
      comment: 'Nothing outside test/ imports test code (no test-only code in production paths).',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-file-cycles',
      comment: 'No import cycle between files: a cycle makes load order matter and the parts inseparable.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment:
        'No cycle between folders either (worker/net -> worker/session -> worker/net ...): each folder ' +
        'owns one concern, and concerns depend on each other in one direction.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^(server|shared|client-sim|loadtest|test|web)/',
    exclude: { path: '(^|/)(node_modules|dist)/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
