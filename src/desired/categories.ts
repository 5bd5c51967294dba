import type { Language } from '../domain/types';
import { textsFor } from './texts';

/** One category so people can colour or filter kada's entries; its name follows the language. */
export function categories(language: Language): string[] {
  return [textsFor(language).category];
}
