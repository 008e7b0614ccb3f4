import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiAdminErrors } from '../common/api-docs.decorator.js';
import { ApiAuthGuard } from '../auth/api-auth.guard.js';
import { RequireScope } from '../auth/scopes.js';
import { CatalogueService, type ObjectModel } from '../catalogue/catalogue.service.js';
import { FieldMappingService, type FieldMapping } from '../catalogue/field-mapping.service.js';
import { RecordsService, type RecordView } from '../catalogue/records.service.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { ColumnDto, CreateObjectDto, FieldMappingDto, UpdateObjectDto } from './dto.js';
import { filterParams, limitParam } from './query.js';

@ApiTags('catalogue')
@ApiOAuth2([])
@ApiBearerAuth()
@ApiAdminErrors()
@UseGuards(ApiAuthGuard)
@UsePipes(adminValidationPipe)
@Controller('api/tenants/:tenantId')
export class CatalogueController {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly records: RecordsService,
    private readonly mapping: FieldMappingService,
  ) {}

  @Get('entities')
  @RequireScope('catalogue:read')
  @ApiOperation({ summary: "The tenant's objects with their columns; inWebhookLookup marks the Webhook entities lookup" })
  entities(@Param('tenantId') tenantId: string): Promise<ObjectModel[]> {
    return this.catalogue.listObjects(tenantId);
  }

  @Post('entities')
  @RequireScope('catalogue:write')
  @ApiOperation({ summary: 'Add an object (an Id column is added for it)' })
  addObject(@Param('tenantId') tenantId: string, @Body() body: CreateObjectDto): Promise<ObjectModel> {
    return this.catalogue.addObject(tenantId, body);
  }

  @Post('entities/:name/fields')
  @RequireScope('catalogue:write')
  @ApiOperation({ summary: 'Add a column to an object' })
  addColumn(@Param('tenantId') tenantId: string, @Param('name') name: string, @Body() body: ColumnDto): Promise<ObjectModel> {
    return this.catalogue.addColumn(tenantId, name, body);
  }

  @Post('entities/:name/mapping')
  @HttpCode(200)
  @RequireScope('catalogue:read')
  @ApiOperation({ summary: 'How the default mapping reads a sample payload for the object: mapped, unmapped and failing parameters' })
  preview(@Param('tenantId') tenantId: string, @Param('name') name: string, @Body() body: FieldMappingDto): Promise<FieldMapping> {
    return this.mapping.preview(tenantId, name, body.payload);
  }

  @Patch('entities/:name')
  @RequireScope('catalogue:write')
  @ApiOperation({ summary: 'Add an object to, or remove it from, the Webhook entities lookup' })
  update(@Param('tenantId') tenantId: string, @Param('name') name: string, @Body() body: UpdateObjectDto): Promise<ObjectModel> {
    return this.catalogue.setInWebhookLookup(tenantId, name, body.inWebhookLookup);
  }

  @Get('records/:entity')
  @RequireScope('records:read')
  @ApiOperation({ summary: 'Records, newest first; filter[Column]=value (text: trimmed, case-insensitive)' })
  @ApiQuery({ name: 'filter[Column]', required: false, description: 'e.g. filter[Email]=ada@example.com' })
  @ApiQuery({ name: 'limit', required: false, description: '1-500, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  list(
    @Param('tenantId') tenantId: string,
    @Param('entity') entity: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ items: RecordView[]; nextCursor: string | null }> {
    const cursor = typeof query.cursor === 'string' ? query.cursor : null;
    return this.records.page(tenantId, entity, filterParams(query), limitParam(query.limit as string | undefined, 50, 500), cursor);
  }

  @Get('records/:entity/:id')
  @RequireScope('records:read')
  @ApiOperation({ summary: 'One record of an object' })
  async get(@Param('tenantId') tenantId: string, @Param('entity') entity: string, @Param('id') id: string): Promise<RecordView> {
    await this.catalogue.getObject(tenantId, entity);
    const record = await this.records.get(tenantId, entity, id);
    if (!record) throw new AppError(ErrorCode.NotFound, `No ${entity} record has Id ${id}`);
    return record;
  }

  @Post('records/:entity')
  @RequireScope('records:write')
  @ApiOperation({ summary: 'Create a record (e.g. a Country lookup value), checked against the columns' })
  create(@Param('tenantId') tenantId: string, @Param('entity') entity: string, @Body() body: Record<string, unknown>): Promise<RecordView> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new AppError(ErrorCode.InvalidArgument, 'The body must be an object of column values');
    }
    return this.records.create(tenantId, entity, body);
  }
}
