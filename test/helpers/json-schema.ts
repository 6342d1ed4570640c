/**
 * A small JSON Schema validator for the subset `z.toJSONSchema` emits and the OpenAPI document
 * uses: type (also as an array, for nullable), properties, required, additionalProperties, items,
 * enum, const, anyOf, oneOf and local `$ref`s (`#/...`, resolved against `root`). Keywords that
 * only narrow values (format, minimum, pattern…) are not checked. Returns every violation, each
 * with the JSON path of the offending value; an empty list means valid.
 */
export type Schema = Record<string, unknown>;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'object':
      return typeOf(value) === 'object';
    default:
      return typeOf(value) === type;
  }
}

function resolve(ref: string, root: Schema): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref are supported, got ${ref}`);
  const target = ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/')],
      root,
    );
  if (typeof target !== 'object' || target === null) throw new Error(`unresolved $ref ${ref}`);
  return target as Schema;
}

export function validate(
  value: unknown,
  schema: Schema,
  root: Schema = schema,
  at = '$',
): string[] {
  if (typeof schema.$ref === 'string') return validate(value, resolve(schema.$ref, root), root, at);
  const errors: string[] = [];

  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t)))
      return [`${at}: expected ${types.join(' or ')}, got ${typeOf(value)}`];
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const))
    errors.push(`${at}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))
  )
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);

  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = schema[keyword];
    if (!Array.isArray(options)) continue;
    const results = options.map((o: Schema) => validate(value, o, root, at));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 0)
      errors.push(
        `${at}: matches none of ${keyword} (${results.map((r, i) => `#${i}: ${r[0]}`).join('; ')})`,
      );
    else if (keyword === 'oneOf' && passing > 1)
      errors.push(`${at}: matches ${passing} of oneOf, expected exactly one`);
  }

  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[])
      if (!(name in object)) errors.push(`${at}: missing required property "${name}"`);
    for (const [name, v] of Object.entries(object)) {
      const path = `${at}.${name}`;
      if (name in properties) errors.push(...validate(v, properties[name]!, root, path));
      else if (schema.additionalProperties === false)
        errors.push(`${at}: property "${name}" is not allowed`);
      else if (typeof schema.additionalProperties === 'object' && schema.additionalProperties)
        errors.push(...validate(v, schema.additionalProperties as Schema, root, path));
    }
  }
  if (Array.isArray(value) && typeof schema.items === 'object' && schema.items)
    value.forEach((v, i) =>
      errors.push(...validate(v, schema.items as Schema, root, `${at}[${i}]`)),
    );

  return errors;
}
