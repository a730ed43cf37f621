// `liveness admin create`: the console's first admin (there is no default account and no default password).
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { CodedError } from '../../shared/errors';
import { parseCommandArgs } from '../args';
import { Storage } from '../../server/storage';
import { SERVER_PLUGINS } from '../../server/plugins';
import { ConsoleStore, ROLES } from '../../server/console/store';
import { MIN_PASSWORD_LENGTH } from '../../server/console/passwords';

export const summary = 'console accounts: create the first admin';

const HELP = `usage: liveness admin create --username NAME [--role admin|reviewer|viewer] [--db file.sqlite | --database-url postgres://…]

  Creates a console account. The password is read from standard input (typed twice without echo on a terminal,
  or the first line of a pipe: printf '%s\\n' "$PASSWORD" | liveness admin create --username alice); at least
  ${MIN_PASSWORD_LENGTH} characters. The action is written to the console's audit log.

  --username NAME      3-64 characters: letters, digits, . _ @ -
  --role ROLE          admin (default), reviewer or viewer
  --db FILE            the server's SQLite database (default liveness-server.sqlite)
  --database-url URL   PostgreSQL instead; env LIVENESS_DATABASE_URL`;

/** One line from stdin; on a terminal the typed characters are not echoed. */
async function readSecret(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    const lines = createInterface({ input, terminal: false });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return '';
  }
  process.stdout.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve) => {
    let typed = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stdout.write('\n');
          resolve(typed);
          return;
        }
        if (char === '\u0003') process.exit(130);
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    input.on('data', onData);
  });
}

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'create') {
    console.log(HELP);
    return action === '--help' || action === '-h' ? 0 : 1;
  }
  const parsed = parseCommandArgs(
    rest,
    {
      username: { type: 'string' },
      role: { type: 'string', default: 'admin' },
      db: { type: 'string' },
      'database-url': { type: 'string' },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.username) throw new CodedError('INVALID_ARGUMENT', '--username is required.');
  if (!(ROLES as readonly string[]).includes(values.role ?? ''))
    throw new CodedError('INVALID_ARGUMENT', `--role is one of ${ROLES.join(', ')}.`);
  const databaseUrl = values['database-url'] ?? process.env.LIVENESS_DATABASE_URL;
  if (values.db && databaseUrl)
    throw new CodedError('INVALID_ARGUMENT', 'Use either --db (SQLite) or --database-url (PostgreSQL), not both.');

  const password = await readSecret('password: ');
  if (process.stdin.isTTY && (await readSecret('again: ')) !== password)
    throw new CodedError('INVALID_ARGUMENT', 'The two passwords differ.');

  // Every plugin's tables, as `liveness server` would make them: this may be the database's first use.
  const migrations = SERVER_PLUGINS.map((plugin) => ({ plugin: plugin.name, migrations: plugin.migrations ?? [] }));
  const storage = await Storage.open(
    { sqlitePath: databaseUrl ? undefined : (values.db ?? 'liveness-server.sqlite'), databaseUrl },
    migrations,
  );
  try {
    const store = new ConsoleStore(storage.db);
    const user = await store.createUser(values.username, password, values.role, { type: 'cli', name: `cli:${userInfo().username}` });
    console.log(`created ${user.role} ${user.username}; sign in at <server>/console/`);
    return 0;
  } finally {
    await storage.close();
  }
}
