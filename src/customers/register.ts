/**
 * registerUser: the compatibility shape of POST /api/v1/user/register
 * ({firstname, middlename, lastname, email, mobile, dob?}). What that shape does not carry
 * (currency, country, tax region, legal entity, locale) comes from `defaults`, a deployment
 * setting the caller passes.
 */
import { invalidInputError, parseInput } from './validation.ts';
import { insertCustomer, type Customer } from './customers.ts';
import { todayOf, type Deps } from './deps.ts';
import {
  customerDefaultsSchema,
  registerUserSchema,
  type CustomerDefaults,
  type RegisterUserInput,
} from './schemas.ts';

/** 'Asha', '', 'Rao' → 'Asha Rao'; inner runs of spaces collapse to one. */
export function fullName(firstname: string, middlename: string | undefined, lastname: string): string {
  return [firstname, middlename ?? '', lastname]
    .map((part) => part.trim().replace(/\s+/g, ' '))
    .filter((part) => part !== '')
    .join(' ');
}

export async function registerUser(deps: Deps, input: RegisterUserInput, defaults: CustomerDefaults): Promise<Customer> {
  const user = parseInput(registerUserSchema, input);
  const preset = parseInput(customerDefaultsSchema, defaults, ['defaults']);
  if (user.dob !== undefined && user.dob > todayOf(deps.clock)) {
    throw invalidInputError([{ field: 'dob', message: 'must not be in the future' }]);
  }
  return insertCustomer(deps.db, {
    name: fullName(user.firstname, user.middlename, user.lastname),
    email: user.email,
    phone: user.mobile,
    currency: preset.currency,
    country: preset.country,
    taxRegion: preset.taxRegion ?? null,
    locale: preset.locale,
    legalEntityId: preset.legalEntityId,
    billingAnchorDay: 1,
    status: 'active',
    collectionMethod: 'charge_automatically',
    metadata: user.dob === undefined ? null : { dob: user.dob },
  }, 'defaults.');
}
