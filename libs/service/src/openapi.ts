import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export interface OpenApiInfo {
  name: string;
  description?: string;
  version?: string;
}

/** Serves the OpenAPI 3 document at /docs/openapi.json and Swagger UI at /docs. */
export function setupOpenApi(app: INestApplication, { name, description, version = '0.1.0' }: OpenApiInfo): void {
  const info = new DocumentBuilder()
    .setTitle(`Vigil ${name}`)
    .setDescription(description ?? `The ${name} service of Vigil`)
    .setVersion(version)
    .build();
  const document = SwaggerModule.createDocument(app, info);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json', raw: ['json'], customSiteTitle: `Vigil ${name} API` });
}
