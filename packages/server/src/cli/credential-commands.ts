import type { Command } from 'commander';
import type { CredentialLifecycle } from '../credentials/credential-lifecycle.js';
import type { Services } from '../services.js';
import { run, table, withJson, type Output } from './run.js';

/** How one kind of credential is named and shown by the `tessera` command. */
export interface CredentialCommandSpec<Row extends { platform_id: string }, View extends { status: string }> {
  lifecycle: CredentialLifecycle<Row, View, Services>;
  /** The argument of the commands that take one: `clientId`, `id`. */
  idArgument: string;
  /** The id's field in JSON output: `client_id`, `id`. */
  idField: string & keyof View;
  /** With an article, for descriptions: `a client credential`, `an API key`. */
  one: string;
  /** Without: `client credential`, `API key`. */
  noun: string;
  /** At the start of a sentence, `Client`, and inside one, `client`. */
  title: string;
  lower: string;
  /** The list's key in JSON output, the table's columns and the command's description. */
  listField: string;
  columns: (keyof View & string)[];
  listDescription: string;
}

/** `list`: the same for both kinds, through the shared lifecycle. */
export function registerListCommand<Row extends { platform_id: string }, View extends { status: string }>(group: Command, spec: CredentialCommandSpec<Row, View>): void {
  withJson(group.command('list').description(spec.listDescription))
    .requiredOption('--platform <platformName>', 'the platform')
    .action((options: Output & { platform: string }) =>
      run(options, async (services) => {
        const views = await spec.lifecycle.list(services, options.platform);
        return { json: { platformName: options.platform, [spec.listField]: views }, text: table(views, spec.columns) };
      }),
    );
}

/** `activate`, `deactivate` and `delete`: the same for both kinds, through the shared lifecycle. */
export function registerStatusCommands<Row extends { platform_id: string }, View extends { status: string }>(group: Command, spec: CredentialCommandSpec<Row, View>): void {
  for (const [verb, status] of [
    ['activate', 'active'],
    ['deactivate', 'inactive'],
  ] as const) {
    withJson(group.command(`${verb} <${spec.idArgument}>`).description(`${verb} ${spec.one}`)).action((id: string, options: Output) =>
      run(options, async (services) => {
        const view = await spec.lifecycle.setStatus(services, id, status);
        return { json: { ...view }, text: `${spec.title} ${String(view[spec.idField])} is ${view.status}` };
      }),
    );
  }
  withJson(group.command(`delete <${spec.idArgument}>`).description(`delete a deactivated ${spec.noun}`)).action((id: string, options: Output) =>
    run(options, async (services) => {
      await spec.lifecycle.delete(services, id);
      return { json: { [spec.idField]: id, deleted: true }, text: `Deleted ${spec.lower} ${id}` };
    }),
  );
}
