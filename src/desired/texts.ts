import type { Language } from '../domain/types';

/** Every piece of fixed text kada writes into a calendar entry, per KADA_LANGUAGE. */
export interface Texts {
  cancelledPrefix: string;
  category: string;
  digital: string;
  cancelledNotice: string;
  teachingMethod: string;
  topic: string;
  course: string;
  lecturers: string;
  rooms: string;
  map: string;
  videoLink: string;
  coursePage: string;
  maintained: string;
}

export const TEXTS: Record<Language, Texts> = {
  nb: {
    cancelledPrefix: 'AVLYST: ',
    category: 'Undervisning',
    digital: 'Digital undervisning',
    cancelledNotice: 'Denne undervisningen er avlyst.',
    teachingMethod: 'Undervisningsform',
    topic: 'Tema',
    course: 'Emne',
    lecturers: 'Undervisere',
    rooms: 'Rom',
    map: 'kart',
    videoLink: 'videolenke',
    coursePage: 'Emnesiden',
    maintained:
      'Denne avtalen oppdateres automatisk fra timeplanen, og endringer du gjør her blir overskrevet. ' +
      'Feil i tid, rom eller innhold meldes til studieadministrasjonen for emnet, så blir de rettet i timeplanen.',
  },
  nn: {
    cancelledPrefix: 'AVLYST: ',
    category: 'Undervisning',
    digital: 'Digital undervisning',
    cancelledNotice: 'Denne undervisninga er avlyst.',
    teachingMethod: 'Undervisningsform',
    topic: 'Tema',
    course: 'Emne',
    lecturers: 'Undervisarar',
    rooms: 'Rom',
    map: 'kart',
    videoLink: 'videolenkje',
    coursePage: 'Emnesida',
    maintained:
      'Denne avtalen vert oppdatert automatisk frå timeplanen, og endringar du gjer her vert skrivne over. ' +
      'Feil i tid, rom eller innhald meldar du til studieadministrasjonen for emnet, så blir dei retta i timeplanen.',
  },
  en: {
    cancelledPrefix: 'CANCELLED: ',
    category: 'Teaching',
    digital: 'Online teaching',
    cancelledNotice: 'This session is cancelled.',
    teachingMethod: 'Teaching method',
    topic: 'Topic',
    course: 'Course',
    lecturers: 'Lecturers',
    rooms: 'Room',
    map: 'map',
    videoLink: 'video link',
    coursePage: 'Course page',
    maintained:
      'This entry is maintained automatically from the timetable; changes you make here will be overwritten. ' +
      'Please report errors in time, room or content to the student administration of the course, so they can be ' +
      'corrected in the timetable.',
  },
};

export const textsFor = (language: Language): Texts => TEXTS[language];
