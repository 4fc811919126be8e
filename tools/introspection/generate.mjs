// Prints graphql-js's getIntrospectionQuery() with every option graphql-js 16 offers, as GraphiQL,
// graphql-inspector and codegen tools send it with their options on.
import { getIntrospectionQuery } from "graphql";

process.stdout.write(
  getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  }),
);
