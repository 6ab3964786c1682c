import { describe, expect, it } from 'vitest';
import { jsonSyntaxReason } from './json-syntax.ts';

const reasonFor = (text: string) => {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxReason(error);
  }
  throw new Error('expected the text to be refused');
};

describe('jsonSyntaxReason', () => {
  it('keeps why the text is not JSON and leaves out the excerpt of it', () => {
    expect(reasonFor('{"token": sk_live_51Hx9}')).toBe("Unexpected token 's'");
    expect(reasonFor('hello')).toBe("Unexpected token 'h'");
    expect(reasonFor('{"a":1')).toBe("Expected ',' or '}' after property value in JSON at position 6 (line 1 column 7)");
    expect(reasonFor('{"token": sk_live_51Hx9}')).not.toContain('sk_live');
  });
});
