import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// Response shapes of /healthz and /readyz, for the OpenAPI document.

export class LivenessDto {
  @ApiProperty({ enum: ['ok', 'shutting_down'], example: 'ok' })
  status!: 'ok' | 'shutting_down';
}

export class CheckOutcomeDto {
  @ApiProperty({ enum: ['ok', 'failing'], example: 'failing' })
  status!: 'ok' | 'failing';

  @ApiPropertyOptional({ description: 'Why the dependency is failing (no secrets)', example: 'connect ECONNREFUSED 127.0.0.1:5432' })
  error?: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'unavailable', 'shutting_down'], example: 'ok' })
  status!: 'ok' | 'unavailable' | 'shutting_down';

  @ApiProperty({
    description: 'One entry per dependency, by name',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/CheckOutcomeDto' },
    example: { postgres: { status: 'ok' }, kafka: { status: 'failing', error: 'kafka did not answer within 2000 ms' } },
  })
  checks!: Record<string, CheckOutcomeDto>;
}
