import { describe, it, expect } from 'vitest';
import { body } from '../../src/desired/body';
import { cancelledGroup, lecture, settings, tpEvent } from './tpExample';

const NAME = 'Introduksjon til objektorientert programmering';

describe('body', () => {
  it('describes a lecture: method, lecturer, room with map link, course page, maintenance note', () => {
    const html = body(lecture(), NAME, settings('nb'));
    expect(html).toContain('Emne: IN1000 Introduksjon til objektorientert programmering');
    expect(html).toContain('Undervisningsform: Forelesning');
    expect(html).toContain('Tema: Velkommen og introduksjon');
    expect(html).toContain('Undervisere: Kari Hansen');
    expect(html).toContain(
      'Store auditorium, Ole-Johan Dahls hus (<a href="https://example.org/map/BL27SAUD1">kart</a>)',
    );
    expect(html).toContain('<a href="https://duckduckgo.com/?q=IN1000+site%3Auio.no">Emnesiden IN1000</a>');
    expect(html).toContain('oppdateres automatisk fra timeplanen');
    expect(html).toContain('meldes til studieadministrasjonen');
    expect(html).not.toContain('avlyst');
  });

  it('says a cancelled group session is cancelled, in each language', () => {
    expect(body(cancelledGroup(), NAME, settings('nb'))).toContain('<strong>Denne undervisningen er avlyst.</strong>');
    expect(body(cancelledGroup(), NAME, settings('nn'))).toContain('<strong>Denne undervisninga er avlyst.</strong>');
    const en = body(cancelledGroup(), NAME, settings('en'));
    expect(en).toContain('<strong>This session is cancelled.</strong>');
    expect(en).toContain('Teaching method: Gruppeundervisning');
    expect(en).toContain('Room: Online teaching');
    expect(en).toContain('maintained automatically');
    expect(en).not.toContain('Lecturers');
  });

  it('escapes HTML and script in every TP field', () => {
    const evil = '<script>alert("x")</script>';
    const html = body(
      tpEvent({
        summary: evil,
        teachingMethodName: evil,
        staffs: [{ id: 'kari', firstname: evil, lastname: '&', url: 'https://example.org/"><script>' }],
        rooms: [{ id: 'R', roomname: evil, buildingname: "O'Hara", roomurl: 'https://example.org/map?a=1&b=<2>' }],
      }),
      evil,
      settings('nb'),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toMatch(/href="[^"]*"[^>]*"/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('O&#39;Hara');
    expect(html).toContain('href="https://example.org/map?a=1&amp;b=%3C2%3E"');
  });

  it('drops room and lecturer URLs that are not http(s)', () => {
    const html = body(
      tpEvent({
        staffs: [{ id: 'kari', firstname: 'Kari', lastname: 'Hansen', url: 'javascript:alert(1)' }],
        rooms: [{ id: 'R', roomname: 'Sal 1', buildingname: 'Hus', roomurl: 'javascript:alert(1)' }],
      }),
      NAME,
      settings('en'),
    );
    expect(html).not.toContain('javascript');
    expect(html).toContain('Room: Sal 1, Hus</p>');
    expect(html).toContain('Lecturers: Kari Hansen</p>');
  });

  it('links a video room as a video link', () => {
    const html = body(
      tpEvent({ rooms: [{ id: 'Z', roomname: 'Zoom', videolink: true, roomurl: 'https://zoom.example/j/1' }] }),
      NAME,
      settings('en'),
    );
    expect(html).toContain('Room: Zoom (<a href="https://zoom.example/j/1">video link</a>)');
  });
});
