import { ValidateIf, ValidationOptions } from 'class-validator';

/**
 * The field may be left out; when it is present it is validated — `null` included. class-validator's
 * `IsOptional` also waves `null` through, which reached handlers as a value nobody checked
 * (`{"token":null}` hashed null: a 500). Use this on request bodies instead.
 */
export function OptionalField(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}
