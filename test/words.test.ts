import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findBannedWord, normaliseWord } from '../src/limits/words';

describe('banned words as people read them', () => {
  it('finds a banned word however it is spelled: invisible characters, full-width, accents, case, underscores', () => {
    const spellings = ['nude', 'n\u200Bude', 'nu\u00ADde', 'ｎｕｄｅ', 'nude_statue', 'NUDE', 'nüde', 'n\u2060u\uFEFFd\u200De'];
    for (const spelling of spellings) assert.equal(findBannedWord(`a ${spelling} portrait`, ['nude']), 'nude', spelling);
    assert.equal(findBannedWord('BİKİNİ', ['bikini']), 'bikini', 'Turkish dotted capital I folds to i');
    assert.equal(findBannedWord('a model, BİKİNİ!', ['bikini']), 'bikini');
  });

  it('folds the stored word too, and returns it as it is stored', () => {
    assert.equal(findBannedWord('a nude', ['ＮÜＤＥ']), 'ＮÜＤＥ');
    assert.equal(findBannedWord('A Forbidden fox', ['forbidden']), 'forbidden', 'words stored before folding (lower-case) still match');
    assert.equal(findBannedWord('a nude', ['other', 'nü\u200Bde']), 'nü\u200Bde');
  });

  it('lets a word that merely contains a banned word pass', () => {
    assert.equal(findBannedWord('a denuded hillside', ['nude']), undefined);
    assert.equal(findBannedWord('nudes', ['nude']), undefined);
    assert.equal(findBannedWord('nudeart', ['nude']), undefined);
    assert.equal(findBannedWord('n\u200Bude\u200Bs', ['nude']), undefined, 'an invisible character does not split a word');
  });

  it('matches phrases across any run of separators, and only on word edges', () => {
    assert.equal(findBannedWord('a red   fox', ['red fox']), 'red fox');
    assert.equal(findBannedWord('a red_fox', ['red fox']), 'red fox');
    assert.equal(findBannedWord('RED-FOX!', ['red fox']), 'red fox');
    assert.equal(findBannedWord('a red\u200B fox', ['red fox']), 'red fox');
    assert.equal(findBannedWord('a bred fox', ['red fox']), undefined);
    assert.equal(findBannedWord('a red foxes', ['red fox']), undefined);
    assert.equal(findBannedWord('a red cat and a fox', ['red fox']), undefined);
  });

  it('finds words of scripts without spaces inside the text', () => {
    assert.equal(findBannedWord('一只血腥的猫', ['血腥']), '血腥');
    assert.equal(findBannedWord('血\u200B腥な猫', ['血腥']), '血腥');
    assert.equal(findBannedWord('ﾇｰﾄﾞの絵', ['ヌード']), 'ヌード', 'half-width katakana');
    assert.equal(findBannedWord('一只可爱的猫', ['血腥']), undefined);
  });

  it('treats digits as part of words', () => {
    assert.equal(findBannedWord('a R2D2 toy', ['r2d2']), 'r2d2');
    assert.equal(findBannedWord('a ｒ２ｄ２ toy', ['r2d2']), 'r2d2');
    assert.equal(findBannedWord('a r2d2x toy', ['r2d2']), undefined);
    assert.equal(findBannedWord('area51', ['area']), undefined);
    assert.equal(findBannedWord('the 1984 poster', ['1984']), '1984');
    assert.equal(findBannedWord('the 19840 poster', ['1984']), undefined);
  });

  it('normalises a word for storing the way prompts are read', () => {
    assert.equal(normaliseWord('  Ｎü\u200Bde  '), 'nude');
    assert.equal(normaliseWord('Red   Fox'), 'red fox');
    assert.equal(normaliseWord('red_fox'), 'red fox');
    assert.equal(normaliseWord('BİKİNİ'), 'bikini');
    assert.equal(normaliseWord('누드'), '누드', 'stored recomposed');
    assert.equal(normaliseWord('?!'), '', 'no letter or digit: nothing that could match');
    assert.equal(findBannedWord('누드 사진', [normaliseWord('누드')]), '누드');
  });
});
