import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

/** The body of POST /api/session. */
export class SignInDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @Length(1, 254)
  email: string;

  @ApiProperty({ example: 'a long passphrase' })
  @IsString()
  @Length(1, 1000)
  password: string;
}
