/**
 * The fixed vocabulary a synthetic institution is drawn from: names, courses, buildings and
 * lecture topics. Plain data, so the generator reads as rules and this file as a catalogue.
 */

export const FIRST_NAMES = [
  'Ola', 'Kari', 'Nora', 'Emma', 'Sofie', 'Ingrid', 'Maja', 'Ella', 'Olivia', 'Sara', 'Thea', 'Ida',
  'Hanna', 'Leah', 'Frida', 'Astrid', 'Jakob', 'Emil', 'Noah', 'Oliver', 'Filip', 'William', 'Lucas',
  'Henrik', 'Magnus', 'Sander', 'Tobias', 'Mathias', 'Elias', 'Aksel', 'Jonas', 'Sindre', 'Eirik',
  'Håkon', 'Øystein', 'Åse', 'Bjørn', 'Solveig', 'Marius', 'Kristin', 'Siri', 'Tuva', 'Vilde',
  'Amalie', 'Julie', 'Mohammed', 'Ali', 'Fatima', 'Aisha', 'Jonathan', 'Adrian', 'Kasper', 'Live',
] as const;

export const LAST_NAMES = [
  'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Jensen',
  'Karlsen', 'Johnsen', 'Pettersen', 'Eriksen', 'Berg', 'Haugen', 'Hagen', 'Johannessen', 'Andreassen',
  'Jacobsen', 'Dahl', 'Jørgensen', 'Halvorsen', 'Henriksen', 'Lund', 'Sørensen', 'Jakobsen', 'Moen',
  'Gundersen', 'Iversen', 'Strand', 'Solberg', 'Svendsen', 'Eide', 'Knutsen', 'Martinsen', 'Paulsen',
  'Bakken', 'Kristoffersen', 'Mathisen', 'Lie', 'Amundsen', 'Nguyen', 'Rasmussen', 'Ali', 'Lunde',
  'Solheim', 'Berge', 'Moe', 'Nygård', 'Bakke', 'Kristensen', 'Fredriksen', 'Holm', 'Lien', 'Aasen',
] as const;

/** Real-looking course codes first; beyond these the generator numbers new codes per field. */
export const COURSES: readonly { code: string; name: string }[] = [
  { code: 'IN1000', name: 'Introduksjon til objektorientert programmering' },
  { code: 'MAT1100', name: 'Kalkulus' },
  { code: 'EXPHIL03', name: 'Examen philosophicum' },
  { code: 'IN1010', name: 'Objektorientert programmering' },
  { code: 'IN1020', name: 'Introduksjon til datateknologi' },
  { code: 'IN1030', name: 'Systemer, krav og konsekvenser' },
  { code: 'IN1050', name: 'Introduksjon til design, bruk, interaksjon' },
  { code: 'IN1150', name: 'Logiske metoder' },
  { code: 'IN2010', name: 'Algoritmer og datastrukturer' },
  { code: 'IN2090', name: 'Databaser og datamodellering' },
  { code: 'MAT1110', name: 'Kalkulus og lineær algebra' },
  { code: 'MAT1120', name: 'Lineær algebra' },
  { code: 'STK1100', name: 'Sannsynlighetsregning og statistisk modellering' },
  { code: 'FYS-MEK1110', name: 'Mekanikk' },
  { code: 'KJM1100', name: 'Generell kjemi' },
  { code: 'BIOS1100', name: 'Innføring i beregningsmodeller for biovitenskap' },
  { code: 'ECON1210', name: 'Innføring i mikroøkonomi' },
  { code: 'PSY1010', name: 'Innføring i psykologi' },
  { code: 'SOS1001', name: 'Innføring i sosiologi' },
  { code: 'HIS1001', name: 'Verdenshistorie før 1800' },
  { code: 'EXFAC03SV', name: 'Examen facultatum – samfunnsvitenskapelig variant' },
  { code: 'JUS1111', name: 'Formuerett I' },
  { code: 'GEO1001', name: 'Innføring i jordsystemet' },
  { code: 'MEVIT1110', name: 'Medievitenskap – en innføring' },
  { code: 'STV1100', name: 'Innføring i statsvitenskap' },
];

/** Fields used to number further courses (code prefix and the Norwegian field name). */
export const FIELDS: readonly { prefix: string; name: string }[] = [
  { prefix: 'IN', name: 'Informatikk' },
  { prefix: 'MAT', name: 'Matematikk' },
  { prefix: 'STK', name: 'Statistikk' },
  { prefix: 'FYS', name: 'Fysikk' },
  { prefix: 'KJM', name: 'Kjemi' },
  { prefix: 'BIOS', name: 'Biovitenskap' },
  { prefix: 'ECON', name: 'Samfunnsøkonomi' },
  { prefix: 'PSY', name: 'Psykologi' },
  { prefix: 'SOS', name: 'Sosiologi' },
  { prefix: 'HIS', name: 'Historie' },
  { prefix: 'FIL', name: 'Filosofi' },
  { prefix: 'LING', name: 'Lingvistikk' },
  { prefix: 'GEO', name: 'Geofag' },
  { prefix: 'STV', name: 'Statsvitenskap' },
];

export interface CatalogueBuilding {
  id: string;
  name: string;
  acronym: string;
  auditoriums: { roomid: string; name: string }[];
  seminarRooms: number;
}

export const BUILDINGS: readonly CatalogueBuilding[] = [
  {
    id: 'BL27', name: 'Ole-Johan Dahls hus', acronym: 'OJD',
    auditoriums: [{ roomid: 'AUD1', name: 'Store auditorium' }, { roomid: 'AUD2', name: 'Prolog' }, { roomid: 'AUD3', name: 'Datastore' }],
    seminarRooms: 12,
  },
  {
    id: 'BL24', name: 'Vilhelm Bjerknes\' hus', acronym: 'VB',
    auditoriums: [{ roomid: 'AUD1', name: 'Auditorium 1' }, { roomid: 'AUD2', name: 'Auditorium 2' }, { roomid: 'AUD3', name: 'Auditorium 3' }],
    seminarRooms: 8,
  },
  {
    id: 'BL16', name: 'Georg Sverdrups hus', acronym: 'GSH',
    auditoriums: [{ roomid: 'AUD1', name: 'Auditorium 1' }, { roomid: 'AUD2', name: 'Auditorium 2' }],
    seminarRooms: 10,
  },
  {
    id: 'BL09', name: 'Helga Engs hus', acronym: 'HE',
    auditoriums: [{ roomid: 'AUD1', name: 'Auditorium 1' }, { roomid: 'AUD2', name: 'Auditorium 2' }, { roomid: 'AUD3', name: 'Auditorium 3' }],
    seminarRooms: 9,
  },
  {
    id: 'BL11', name: 'Eilert Sundts hus', acronym: 'ES',
    auditoriums: [{ roomid: 'AUD1', name: 'Auditorium 1' }],
    seminarRooms: 14,
  },
  {
    id: 'BL05', name: 'Fysikkbygningen', acronym: 'FYS',
    auditoriums: [{ roomid: 'AUDA', name: 'Store fysiske auditorium' }, { roomid: 'AUDØ', name: 'Øvre fysiske auditorium' }],
    seminarRooms: 6,
  },
  {
    id: 'BL18', name: 'Sophus Lies auditorium', acronym: 'SL',
    auditoriums: [{ roomid: 'AUD', name: 'Sophus Lies auditorium' }],
    seminarRooms: 0,
  },
];

export const LECTURE_TOPICS = [
  'Repetisjon', 'Gjesteforelesning', 'Eksempler og oppgaver', 'Grunnbegreper', 'Bevisteknikker',
  'Modeller og metoder', 'Case-studie', 'Spørretime', 'Midtveisevaluering', 'Anvendelser',
  'Historisk bakgrunn', 'Diskusjon av innleveringer', 'Prøveeksamen', 'Fordypning',
] as const;
