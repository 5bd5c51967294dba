import { describe, it, expect } from 'vitest';
import { subject } from '../../src/desired/subject';
import { cancelledGroup, lecture, tpEvent } from './tpExample';

describe('subject', () => {
  it("is course, title and the planner's topic for a lecture", () => {
    expect(subject(lecture(), 'nb')).toBe('IN1000 Forelesning – Velkommen og introduksjon');
  });

  it('marks a cancelled group session in each language', () => {
    expect(subject(cancelledGroup(), 'nb')).toBe('AVLYST: IN1000 Gruppe 3');
    expect(subject(cancelledGroup(), 'nn')).toBe('AVLYST: IN1000 Gruppe 3');
    expect(subject(cancelledGroup(), 'en')).toBe('CANCELLED: IN1000 Gruppe 3');
  });

  it('leaves out a summary that is empty, blank or just the title again', () => {
    expect(subject(tpEvent({ summary: '' }), 'nb')).toBe('IN1000 Forelesning');
    expect(subject(tpEvent({ summary: '   ' }), 'nb')).toBe('IN1000 Forelesning');
    expect(subject(tpEvent({ summary: 'Forelesning' }), 'nb')).toBe('IN1000 Forelesning');
  });

  it('keeps the subject on one line', () => {
    expect(subject(tpEvent({ summary: 'Løkker\nog  lister' }), 'en')).toBe('IN1000 Forelesning – Løkker og lister');
  });
});
