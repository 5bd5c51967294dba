import { randomUUID } from 'node:crypto';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Config } from '../config/config';
import { KEY_PROP, markerProperties, OWNER_PROP } from '../domain/markers';
import { windowsZoneName } from '../domain/timeZoneNames';
import { type CheckLine, errorText, fail, pass } from './check';

/**
 * A harmless round trip in one mailbox (graph.md): create one marked test event, read it back by
 * kada's OWNER marker, delete it permanently, and ask whether the category colour step is allowed.
 * The event lies in January 2000 (nobody scrolls there), is free, has no reminder and no attendees,
 * and says what it is. Should the delete fail, it still carries kada's markers with a key kada
 * never wants, so the next reconcile of that mailbox removes it.
 */
const SUBJECT = 'kada doctor test: safe to delete';
const WALL_START = '2000-01-03T10:00:00';
const WALL_END = '2000-01-03T10:15:00';
const IMMUTABLE_IDS = 'IdType="ImmutableId"';

interface GraphFailure {
  statusCode?: number;
  code?: string;
}

const statusOf = (err: unknown) => (err as GraphFailure)?.statusCode ?? 0;
const codeOf = (err: unknown) => (err as GraphFailure)?.code ?? '';

export async function checkMailbox(
  config: Config,
  client: Client,
  mailbox: string,
  roles: string[] | null,
): Promise<CheckLine[]> {
  const m = `/users/${encodeURIComponent(mailbox)}`;
  const zone = windowsZoneName(config.timezone) ?? config.timezone;
  const key = `doctor:${randomUUID()}`;
  const lines: CheckLine[] = [];

  let id: string;
  try {
    const created = (await client
      .api(`${m}/events`)
      .header('Prefer', IMMUTABLE_IDS)
      .post({
        subject: SUBJECT,
        body: { contentType: 'text', content: 'Made by `kada doctor` to check its access; deleted again at once.' },
        start: { dateTime: WALL_START, timeZone: zone },
        end: { dateTime: WALL_END, timeZone: zone },
        showAs: 'free',
        isReminderOn: false,
        singleValueExtendedProperties: markerProperties(config.institution, key, 'doctor'),
        transactionId: randomUUID(),
      })) as { id: string };
    id = created.id;
  } catch (err) {
    if (codeOf(err) === 'TimeZoneNotSupportedException') {
      return [
        fail(
          'time zone',
          `Graph refused the zone ${zone} (KADA_TIMEZONE ${config.timezone}): ${errorText(err)}`,
          'set KADA_TIMEZONE to a zone with a Windows name Graph accepts, e.g. Europe/Oslo',
        ),
      ];
    }
    return [fail('mailbox write', `creating a test event in ${mailbox} failed: ${describe(err)}`, mailboxFix(err))];
  }
  lines.push(pass('mailbox write', `created a marked test event in ${mailbox} (January 2000, free, no reminder)`));

  lines.push(await checkZone(client, `${m}/events/${encodeURIComponent(id)}`, zone, config.timezone));
  lines.push(await checkReadBack(client, m, config.institution, key, id));
  lines.push(await deleteTestEvent(client, m, id));
  lines.push(await checkCategories(client, m, roles));
  return lines;
}

/** The zone kada writes was taken, and the event reads back at the wall time written. */
async function checkZone(client: Client, path: string, zone: string, iana: string): Promise<CheckLine> {
  try {
    const e = (await client
      .api(path)
      .header('Prefer', `outlook.timezone="${zone}", ${IMMUTABLE_IDS}`)
      .select('start')
      .get()) as { start?: { dateTime?: string; timeZone?: string } };
    if (e.start?.dateTime?.startsWith(WALL_START))
      return pass('time zone', `Graph took ${zone} (KADA_TIMEZONE ${iana}) and gives back the wall time written`);
    return fail(
      'time zone',
      `written ${WALL_START} ${zone}, read back ${e.start?.dateTime} ${e.start?.timeZone}`,
      'report this: Graph reads the zone differently from kada',
    );
  } catch (err) {
    return fail('time zone', `reading the test event back failed: ${describe(err)}`, mailboxFix(err));
  }
}

/** kada finds its events only through the OWNER marker filter: the test event must be found that way. */
async function checkReadBack(client: Client, m: string, institution: string, key: string, id: string) {
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${OWNER_PROP}' and ep/value eq '${institution}')`;
  try {
    let page = (await client
      .api(`${m}/events`)
      .header('Prefer', IMMUTABLE_IDS)
      .filter(filter)
      .expand(`singleValueExtendedProperties($filter=id eq '${KEY_PROP}')`)
      .select('id')
      .top(100)
      .get()) as {
      value?: { id: string; singleValueExtendedProperties?: { value: string }[] }[];
      '@odata.nextLink'?: string;
    };
    for (let pages = 1; ; pages++) {
      const hit = page.value?.find((e) => e.singleValueExtendedProperties?.some((p) => p.value === key));
      if (hit)
        return hit.id === id
          ? pass('mailbox read-back', 'found the test event by the OWNER marker, with its KEY marker')
          : fail('mailbox read-back', 'found the test event under another id', 'report this: ids are not stable');
      const next = page['@odata.nextLink'];
      if (!next || pages >= 100) break;
      page = (await client.api(next).header('Prefer', IMMUTABLE_IDS).get()) as typeof page;
    }
    return fail(
      'mailbox read-back',
      'the OWNER marker filter did not find the test event',
      'Graph does not return single-value extended properties as kada reads them: report this',
    );
  } catch (err) {
    return fail('mailbox read-back', `listing kada's events failed: ${describe(err)}`, mailboxFix(err));
  }
}

/**
 * permanentDelete (graph.md), so nothing is left in Deleted Items. A Graph without that route (405,
 * a 404 that is not about the item, or OData's 400 "Resource not found for the segment
 * 'permanentDelete'") gets a plain DELETE, and the line says so.
 */
async function deleteTestEvent(client: Client, m: string, id: string): Promise<CheckLine> {
  const path = `${m}/events/${encodeURIComponent(id)}`;
  let how = 'deleted permanently (permanentDelete)';
  try {
    await client.api(`${path}/permanentDelete`).header('Prefer', IMMUTABLE_IDS).post({});
  } catch (err) {
    const unsupported =
      statusOf(err) === 405 ||
      (statusOf(err) === 404 && codeOf(err) !== 'ErrorItemNotFound') ||
      (statusOf(err) === 400 && /segment 'permanentDelete'/i.test(errorText(err)));
    if (!unsupported)
      return fail('mailbox delete', `permanentDelete of the test event failed: ${describe(err)}`, mailboxFix(err));
    try {
      await client.api(path).header('Prefer', IMMUTABLE_IDS).delete();
      how = `deleted with DELETE, so it is in Deleted Items: permanentDelete not supported here (${statusOf(err)})`;
    } catch (again) {
      return fail('mailbox delete', `deleting the test event failed: ${describe(again)}`, mailboxFix(again));
    }
  }
  try {
    await client.api(path).header('Prefer', IMMUTABLE_IDS).select('id').get();
    return fail('mailbox delete', 'the test event is still there after the delete', `delete it by hand: ${SUBJECT}`);
  } catch (err) {
    if (statusOf(err) === 404) return pass('mailbox delete', `test event ${how}`);
    return fail('mailbox delete', `checking the delete failed: ${describe(err)}`, mailboxFix(err));
  }
}

/**
 * The optional category colour step (graph.md): reading the list needs MailboxSettings.Read,
 * creating kada's category ReadWrite. The doctor only reads; the token's roles tell about ReadWrite
 * when it was granted in Entra (RBAC for Applications grants do not show there).
 */
async function checkCategories(client: Client, m: string, roles: string[] | null): Promise<CheckLine> {
  const fix =
    'grant MailboxSettings.ReadWrite (Entra permission or the RBAC role Application MailboxSettings.ReadWrite) ' +
    'for the coloured category, or leave it: events still carry the category name';
  try {
    await client.api(`${m}/outlook/masterCategories`).header('Prefer', IMMUTABLE_IDS).get();
  } catch (err) {
    if (statusOf(err) === 403)
      return fail(
        'category colour',
        'category colour step not permitted (MailboxSettings.ReadWrite missing): optional',
        fix,
        false,
      );
    return fail('category colour', `reading the master categories failed: ${describe(err)}`, fix, false);
  }
  if (roles?.includes('MailboxSettings.ReadWrite'))
    return pass('category colour', 'category colour step permitted (MailboxSettings.ReadWrite)', false);
  return pass(
    'category colour',
    'category list readable; MailboxSettings.ReadWrite is not in the token (right with RBAC for Applications): ' +
      'if creating the category is refused, kada skips the colour for that mailbox',
    false,
  );
}

function describe(err: unknown): string {
  const status = statusOf(err);
  const code = codeOf(err);
  return `${status ? `${status} ` : ''}${code ? `${code}: ` : ''}${errorText(err)}`;
}

/** What to do about an error that concerns the mailbox (graph.md "Errors that are about one mailbox"). */
function mailboxFix(err: unknown): string {
  const code = codeOf(err);
  if (statusOf(err) === 403 || code === 'ErrorAccessDenied')
    return 'the mailbox is outside the application access policy or RBAC scope: add it (docs/deploying.md)';
  if (['MailboxNotEnabledForRESTAPI', 'ErrorInvalidUser', 'ResourceNotFound'].includes(code) || statusOf(err) === 404)
    return 'the address has no Exchange Online mailbox: check the address, or pick a licensed mailbox';
  if (statusOf(err) === 401) return 'Graph refused the token: check the app registration and admin consent';
  return 'see the error; run again with another mailbox to tell a mailbox problem from a tenant one';
}
