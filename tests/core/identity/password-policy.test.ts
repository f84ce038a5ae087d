import { expect } from 'chai';
import { PasswordPolicy } from '../../../core/identity/entities/password-policy.js';
import { ZxcvbnCommonPasswords } from '../../../adapters/zxcvbn/zxcvbn-common-passwords.js';

describe('PasswordPolicy', () => {
  const policy = new PasswordPolicy(new ZxcvbnCommonPasswords());
  const owner = { email: 'ann@example.com', username: 'ann_lee' };
  const messages = (password: string) => policy.check(password, owner).map((i) => `${i.field}: ${i.message}`);

  it('accepts a long uncommon password with no special characters (no composition rules)', () => {
    expect(messages('correct horse battery staple')).to.deep.equal([]);
    expect(messages('zqwmvbnrtk')).to.deep.equal([]);
  });

  it('refuses fewer than 8 and more than 128 characters, counting emoji as one character', () => {
    expect(messages('a7#kQ2z')).to.deep.equal(['password: must be at least 8 characters']);
    expect(messages('x'.repeat(129))).to.deep.equal(['password: must be at most 128 characters']);
    expect(messages('🔑'.repeat(8))).to.deep.equal([]);
    expect(messages('🔑'.repeat(7))).to.have.length(1);
  });

  it('refuses commonly used passwords whatever their case', () => {
    expect(messages('password1')).to.deep.equal(['password: is too common; choose a less guessable password']);
    expect(messages('PassWord1')).to.have.length(1);
    expect(messages('qwertyuiop')).to.have.length(1);
  });

  it('refuses the username or email as the password', () => {
    expect(policy.check('ANN@example.com', owner)).to.have.length(1);
    expect(policy.check('Ann_Lee', { email: 'x@example.com', username: 'ann_lee' })).to.have.length(1);
  });

  it('names the field it was asked to check', () => {
    expect(policy.check('short', owner, 'new_password')[0]?.field).to.equal('new_password');
  });
});
