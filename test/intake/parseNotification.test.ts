import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNotification, type Notification } from '../../src/intake/parseNotification';
import { loadBadNotifications } from './badNotifications';

const CONTRACT_DIR = path.resolve(__dirname, 'fixtures/contract');

function contractExample(name: string): { routingKey: string; body: Buffer } {
  const e = JSON.parse(readFileSync(path.join(CONTRACT_DIR, name), 'utf8'));
  return { routingKey: e.routingKey, body: Buffer.from(JSON.stringify(e.body)) };
}

function parseOk(routingKey: string, body: unknown): Notification {
  const r = parseNotification(routingKey, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.reason}`);
  return r.notification;
}

const FS_KEY = 'no.uio.fs.FS-prod.personer.update';
const IN1000 = { courseId: 'IN1000', version: '1', semester: '26h' };

describe('parseNotification: the contract examples', () => {
  it('has every example of shared/contracts/examples/amqp-*.json', () => {
    expect(readdirSync(CONTRACT_DIR).sort()).toEqual([
      'amqp-cloudevent-tp.json',
      'amqp-fs-personer-update.json',
      'amqp-tp-course-update.json',
    ]);
  });

  it('FS personer update: rebuild that person, keyed by jti', () => {
    const { routingKey, body } = contractExample('amqp-fs-personer-update.json');
    const r = parseNotification(routingKey, body);
    expect(r).toMatchObject({
      ok: true,
      notification: {
        id: '35380ac0-3a4c-4c54-a6c9-3a3e6f6a1b2c',
        format: 'fs',
        action: { kind: 'person', personId: '56154' },
        operation: 'update',
        subject: 'personer/56154',
      },
    });
  });

  it('TP course update: re-read the course', () => {
    const { routingKey, body } = contractExample('amqp-tp-course-update.json');
    expect(parseNotification(routingKey, body)).toMatchObject({
      ok: true,
      notification: {
        id: '6f1d2e8a-9c1b-4f7e-8a2d-0b9e4c7d5a31',
        format: 'tp',
        action: { kind: 'course', course: IN1000 },
        operation: 'update',
      },
    });
  });

  it('CloudEvent: subject names the course, type suffix is the operation', () => {
    const { routingKey, body } = contractExample('amqp-cloudevent-tp.json');
    expect(parseNotification(routingKey, body)).toMatchObject({
      ok: true,
      notification: {
        id: '0b7c2d1e-5f4a-4e3b-9c8d-7a6b5c4d3e2f',
        format: 'cloudevent',
        action: { kind: 'course', course: IN1000 },
        operation: 'update',
        subject: 'courses/IN1000,1/26h',
      },
    });
  });

  it('keeps the parsed body to store in the inbox', () => {
    const { routingKey, body } = contractExample('amqp-fs-personer-update.json');
    const n = parseOk(routingKey, body.toString());
    expect(n.body).toEqual(JSON.parse(body.toString()));
  });
});

describe('parseNotification: FS rules', () => {
  const base = { iss: 'FS-prod', iat: '1582344412462', operation: 'update', jti: 'j-1' };

  it.each(['undervisningsmeldinger', 'gruppemedlemskap', 'personroller'])(
    '%s/<id> with person_id rebuilds that person',
    (resource) => {
      const n = parseOk(`no.uio.fs.FS-prod.${resource}.update`, {
        ...base,
        sub: `${resource}/991`,
        person_id: '56154',
      });
      expect(n.action).toEqual({ kind: 'person', personId: '56154' });
      expect(n.format).toBe('fs');
    },
  );

  it('any other resource with person_id rebuilds that person', () => {
    const n = parseOk('no.uio.fs.FS-prod.studieretter.create', { ...base, sub: 'studieretter/5', person_id: '777' });
    expect(n.action).toEqual({ kind: 'person', personId: '777' });
  });

  it('a numeric person_id (older FS endpoints) is accepted as text', () => {
    const n = parseOk('no.uio.fs.FS-prod.personroller.update', { ...base, sub: 'personroller/5', person_id: 777 });
    expect(n.action).toEqual({ kind: 'person', personId: '777' });
  });

  it('personer/<id> without person_id uses the id from sub', () => {
    const n = parseOk(FS_KEY, { ...base, sub: 'personer/4242' });
    expect(n.action).toEqual({ kind: 'person', personId: '4242' });
  });

  it('an unknown resource without person_id is ignored, with a reason and a metric label', () => {
    const n = parseOk('no.uio.fs.FS-prod.emner.update', { ...base, sub: 'emner/IN1000' });
    expect(n.action).toEqual({
      kind: 'ignored',
      code: 'fs_resource_not_used',
      reason: 'FS resource emner is not used by kada',
    });
  });

  it('a courses/ subject from FS is an FS resource kada does not use', () => {
    const n = parseOk('no.uio.fs.FS-prod.courses.update', { ...base, sub: 'courses/IN1000,1/26h' });
    expect(n.action.kind).toBe('ignored');
  });

  it('takes the operation from the routing key when the body has none', () => {
    const { operation: _op, ...noOperation } = base;
    const n = parseOk('no.uio.fs.FS-prod.personer.delete', { ...noOperation, sub: 'personer/1' });
    expect(n.operation).toBe('delete');
  });

  it('tells FS from TP by iss when the routing key does not say', () => {
    const n = parseOk('custom.key', { ...base, iss: 'TP-test', sub: 'courses/IN1000,1/26h' });
    expect(n.format).toBe('tp');
    expect(n.action).toEqual({ kind: 'course', course: IN1000 });
  });

  it('ignores unknown extra claims', () => {
    const n = parseOk(FS_KEY, { ...base, sub: 'personer/1', aud: 'kada', extra: { nested: [1, 2] } });
    expect(n.action).toEqual({ kind: 'person', personId: '1' });
  });
});

describe('parseNotification: TP rules', () => {
  const base = { iss: 'TP-prod', iat: '1764077400123', operation: 'update', jti: 't-1' };
  const TP_KEY = 'no.uio.tp.TP-prod.courses.update';

  it('version defaults to 1 and the semester is lower-cased', () => {
    expect(parseOk(TP_KEY, { ...base, sub: 'courses/MAT1100/27V' }).action).toEqual({
      kind: 'course',
      course: { courseId: 'MAT1100', version: '1', semester: '27v' },
    });
  });

  it('keeps course codes with dashes and non-default versions', () => {
    expect(parseOk(TP_KEY, { ...base, sub: 'courses/MAT-INF1100,2/26h' }).action).toEqual({
      kind: 'course',
      course: { courseId: 'MAT-INF1100', version: '2', semester: '26h' },
    });
  });

  it('the body may repeat the course fields (case-insensitive semester)', () => {
    const n = parseOk(TP_KEY, {
      ...base,
      sub: 'courses/IN1000,1/26h',
      course_id: 'IN1000',
      course_version: 1,
      semester: '26H',
    });
    expect(n.action).toEqual({ kind: 'course', course: IN1000 });
  });

  it('a delete of a course is still a course change (its events must go)', () => {
    const n = parseOk('no.uio.tp.TP-prod.courses.delete', {
      ...base,
      operation: 'delete',
      sub: 'courses/IN1000,1/26h',
    });
    expect(n).toMatchObject({ operation: 'delete', action: { kind: 'course', course: IN1000 } });
  });

  it('other TP resources are ignored', () => {
    const n = parseOk('no.uio.tp.TP-prod.rooms.update', { ...base, sub: 'rooms/BL05' });
    expect(n.action).toMatchObject({ kind: 'ignored', code: 'tp_resource_not_used' });
  });
});

describe('parseNotification: CloudEvents', () => {
  const ce = { specversion: '1.0', id: 'ce-1', source: 'https://fs.uio.no', time: '2026-11-25T12:00:00+01:00' };

  it('personer subject: the person is the last path segment', () => {
    const n = parseOk('x', { ...ce, type: 'no.uio.fs.person.create', subject: 'personer/56154' });
    expect(n).toMatchObject({
      format: 'cloudevent',
      operation: 'create',
      action: { kind: 'person', personId: '56154' },
    });
  });

  it('other FS subjects: the person is data.person_id', () => {
    const n = parseOk('x', {
      ...ce,
      type: 'no.uio.fs.undervisningsmelding.delete',
      subject: 'undervisningsmeldinger/5',
      data: { person_id: '56154' },
    });
    expect(n).toMatchObject({ operation: 'delete', action: { kind: 'person', personId: '56154' } });
  });

  it('no subject but data.person_id: rebuild that person', () => {
    const n = parseOk('x', { ...ce, type: 'no.uio.fs.person.update', data: { person_id: '12' } });
    expect(n.action).toEqual({ kind: 'person', personId: '12' });
  });

  it('no subject and no person: ignored', () => {
    const n = parseOk('x', { ...ce, type: 'no.uio.fs.thing.update' });
    expect(n.action).toMatchObject({ kind: 'ignored', code: 'no_subject' });
  });

  it('an unrelated subject: ignored', () => {
    const n = parseOk('x', { ...ce, type: 'no.uio.fs.emne.update', subject: 'emner/IN1000', data: { title: 'x' } });
    expect(n.action).toMatchObject({ kind: 'ignored', code: 'fs_resource_not_used' });
  });
});

describe('parseNotification: malformed input (test/fixtures/bad/notifications)', () => {
  const cases = loadBadNotifications();

  it('has a corpus of at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = parseNotification(c.routingKey, c.body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(c.expectCode);
    expect(r.reason.length).toBeGreaterThan(5);
    expect(r.reason.length).toBeLessThan(400);
  });

  it('accepts a body of exactly 64 KiB but not one byte more', () => {
    const make = (size: number) => {
      const body = { sub: 'personer/1', jti: 'big', iss: 'FS-prod', padding: '' };
      const pad = size - Buffer.byteLength(JSON.stringify(body));
      return Buffer.from(JSON.stringify({ ...body, padding: 'x'.repeat(pad) }));
    };
    expect(parseNotification(FS_KEY, make(64 * 1024)).ok).toBe(true);
    expect(parseNotification(FS_KEY, make(64 * 1024 + 1))).toMatchObject({ ok: false, code: 'NOTIFICATION_TOO_LARGE' });
  });

  it('accepts an id of exactly 200 characters', () => {
    expect(parseOk(FS_KEY, { sub: 'personer/1', jti: 'a'.repeat(200) }).id).toHaveLength(200);
  });

  it('never throws, whatever the bytes', () => {
    const samples = [
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from('{"__proto__": {"x": 1}, "jti": "p", "sub": "personer/1"}'),
      Buffer.alloc(10, 0),
    ];
    for (const b of samples) expect(() => parseNotification('k', b)).not.toThrow();
  });
});
