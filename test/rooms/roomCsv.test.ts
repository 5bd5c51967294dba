import { describe, expect, it } from 'vitest';
import { csvField, parseRoomCsv } from '../../src/rooms/roomCsv';
import { suggestRooms } from '../../src/rooms/suggestRooms';

describe('parseRoomCsv', () => {
  it('reads the mapping, ignoring blank lines, quotes and further columns', () => {
    const r = parseRoomCsv(
      '\uFEFFtp_room_id,mailbox,place_name\r\n510S206, s206.smaragd@ntnu.no ,"Smaragd, S206"\n\n"AUD1",aud1@uio.no\n',
    );
    expect(r).toEqual({
      ok: true,
      mapping: [
        { roomId: '510S206', mailbox: 's206.smaragd@ntnu.no' },
        { roomId: 'AUD1', mailbox: 'aud1@uio.no' },
      ],
    });
  });

  it('names every bad line: missing field, invalid address, duplicates, wrong header', () => {
    const r = parseRoomCsv('tp_room_id,mailbox\nA,a@x.no\nB\n,c@x.no\nD,not an address\nA,e@x.no\nF,A@x.no\n');
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(parseRoomCsv('room,mailbox\nA,a@x.no\n').ok).toBe(false);
    expect(parseRoomCsv('\n\n').ok).toBe(false);
  });

  it('writes fields that survive a round trip', () => {
    const line = ['X1', 'x1@uio.no', 'Smaragd, "S206"'].map(csvField).join(',');
    const r = parseRoomCsv(`tp_room_id,mailbox,name\n${line}\n`);
    expect(r).toEqual({ ok: true, mapping: [{ roomId: 'X1', mailbox: 'x1@uio.no' }] });
  });
});

describe('suggestRooms', () => {
  const place = (id: string, displayName: string, emailAddress: string, building: string | null = null) => ({
    id,
    displayName,
    emailAddress,
    building,
    nickname: null,
    capacity: null,
  });

  it('matches by room and building name, each place once, and leaves weak matches out', () => {
    const tp = [
      { id: 'BL09SAUD1', roomid: 'AUD1', roomname: 'Store auditorium', buildingname: 'Ole-Johan Dahls hus' },
      { id: 'BL09S1010', roomid: '1010', roomname: 'Seminarrom 1010', buildingname: 'Ole-Johan Dahls hus' },
      { id: 'ZZ', roomid: 'ZZ', roomname: 'Kjelleren', buildingname: 'Et hus' },
    ];
    const places = [
      place('1', 'Store auditorium (OJD)', 'ojd-aud1@uio.no', 'Ole-Johan Dahls hus'),
      place('2', 'Seminarrom 1010', 'ojd-1010@uio.no', 'Ole-Johan Dahls hus'),
      place('3', 'Store auditorium', 'other-aud@uio.no', 'Helga Engs hus'),
    ];
    expect(suggestRooms(tp, places).map((s) => [s.roomId, s.mailbox])).toEqual([
      ['BL09S1010', 'ojd-1010@uio.no'],
      ['BL09SAUD1', 'ojd-aud1@uio.no'],
    ]);
  });
});
